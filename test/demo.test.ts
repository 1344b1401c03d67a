import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

describe('npm run demo (the quick start)', () => {
  it('fails and quarantines the vulnerable sample, promotes the clean one, and prints both job summaries', async () => {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'lib/src/demo/main.js')], {
      cwd: ROOT,
      timeout: 120_000,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(stderr).toBe('');
    expect(stdout).toContain('## Airlock gate: ❌ failed');
    expect(stdout).toContain('## Airlock gate: ✅ passed');
    expect(stdout).toContain('Quarantined (it failed the gate)');
    expect(stdout).toMatch(/Copied to `acme\/prod`/);
    for (const line of [
      'the vulnerable package failed the gate',
      'the vulnerable package was not promoted',
      'the vulnerable package is quarantined in dev',
      'the clean package passed the gate',
      'the clean package was promoted to prod',
    ]) {
      expect(stdout).toContain(`✓ ${line}`);
    }
    expect(stdout).not.toContain('✗');
    expect(stdout).not.toMatch(/::add-mask::|alo_[A-Za-z0-9]/);
  }, 150_000);
});
