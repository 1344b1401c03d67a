import fs from 'node:fs';
import path from 'node:path';
import { runGroovy } from '../helpers/groovy.js';
import { tempDir } from '../helpers/server.js';

interface GroovyCase {
  name: string;
  ok: boolean;
  error?: string;
  commands?: string[];
}

const root = path.resolve(new URL('.', import.meta.url).pathname, '../..');
const dir = tempDir('airlock-groovy-');
const report = path.join(dir, 'report.json');
const run = runGroovy(path.join(root, 'jenkins/test/run.groovy'), [report]);
const cases: GroovyCase[] = fs.existsSync(report)
  ? (JSON.parse(fs.readFileSync(report, 'utf8')) as GroovyCase[])
  : [];

describe('the Jenkins shared library (Groovy harness with stubbed pipeline steps)', () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the harness to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(run.code).toBe(0);
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(c.error ?? null).toBeNull();
    expect(c.ok).toBe(true);
  });

  it('has a vars/ step for every one the README documents, each with its help file', () => {
    const readme = fs.readFileSync(path.join(root, 'jenkins/README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `(airlock\w+)` \|/gm)].map((m) => m[1]);
    const steps = fs
      .readdirSync(path.join(root, 'jenkins/vars'))
      .filter((f) => f.endsWith('.groovy'))
      .map((f) => f.slice(0, -7));
    expect(steps.sort()).toEqual(documented.sort());
    for (const s of steps) expect(fs.existsSync(path.join(root, `jenkins/vars/${s}.txt`))).toBe(true);
  });
});
