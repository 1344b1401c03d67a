import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../../../src/server/main.js';
import { tempDir } from '../../helpers/server.js';

const SUBSET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/advisories');

function capture(env: NodeJS.ProcessEnv = {}): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => (out += t), err: (t) => (err += t), env, stdout: () => out, stderr: () => err };
}

describe('advisories import and sync read the settings as serve does', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('airlock-advisories-config-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes the data directory from --config, and the sync source from advisories.source in it', async () => {
    const dataDir = path.join(dir, 'data');
    const config = path.join(dir, 'airlock.yaml');
    fs.writeFileSync(config, `dataDir: ${dataDir}\nadvisories:\n  source: ${SUBSET}\n`);

    const imported = capture();
    expect(
      await main(['advisories', 'import', '--config', config, path.join(SUBSET, 'npm', 'all.zip')], imported),
    ).toBe(0);
    expect(imported.stdout()).toMatch(/npm\/all\.zip: \d+ documents: \d+ added/);
    expect(fs.existsSync(path.join(dataDir, 'airlock.db'))).toBe(true);

    // The same archive again, now through sync from the configured folder: unchanged.
    const synced = capture({ AIRLOCK_CONFIG: config });
    expect(await main(['advisories', 'sync', '--ecosystems', 'npm,PyPI', '--json'], synced)).toBe(0);
    const results = synced
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ecosystem: string; outcome: string });
    expect(results.map((r) => r.ecosystem)).toEqual(['npm', 'PyPI']);
    expect(results.find((r) => r.ecosystem === 'npm')?.outcome).toBe('unchanged');
    expect(results.find((r) => r.ecosystem === 'PyPI')?.outcome).toBe('updated');
  });

  it('names the setting that is wrong', async () => {
    const bad = capture();
    expect(
      await main(['advisories', 'import', '--data-dir', dir, '--database-pool-size', '4', 'x.zip'], bad),
    ).toBe(2);
    expect(bad.stderr()).toMatch(/pool size needs PostgreSQL/);
  });
});
