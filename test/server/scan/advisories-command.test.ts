import fs from 'node:fs';
import path from 'node:path';
import { main, type Io } from '../../../src/server/main.js';
import { tempDir } from '../../helpers/server.js';
import { archivePath, loadArchive } from './advisories-data.js';

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: {},
    stdout: () => out,
    stderr: () => err,
  };
}

describe('airlock-server advisories import', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('airlock-advisories-cli-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports archives into the data directory and skips an unchanged archive the second time', async () => {
    const npm = (await loadArchive('npm')).length;
    const first = capture();
    expect(await main(['advisories', 'import', '--data-dir', dir, archivePath('npm')], first)).toBe(0);
    expect(first.stdout()).toContain(`npm/all.zip: ${npm} documents: ${npm} added, 0 changed, 0 skipped`);
    expect(fs.existsSync(path.join(dir, 'airlock.db'))).toBe(true);

    const second = capture();
    expect(
      await main(['advisories', 'import', '--data-dir', dir, '--json', archivePath('npm')], second),
    ).toBe(0);
    // The archive is byte for byte the one imported: recognised by its sha256, not read again.
    expect(JSON.parse(second.stdout())).toMatchObject({ unchanged: true, ecosystem: 'npm' });
  });

  it('exits 1 naming a path it cannot read, and 2 without a path', async () => {
    const missing = capture();
    const bad = path.join(dir, 'nothing-here.zip');
    expect(await main(['advisories', 'import', '--data-dir', dir, bad], missing)).toBe(1);
    expect(missing.stderr()).toContain(bad);

    const usage = capture();
    expect(await main(['advisories', 'import', '--data-dir', dir], usage)).toBe(2);
    expect(usage.stderr()).toMatch(/at least one PATH/);
    expect(await main(['advisories', 'export'], capture())).toBe(2);
  });
});
