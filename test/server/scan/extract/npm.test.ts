import { componentsOf, makeTar, makeTgz, makeZip, Workspace } from './archives.js';

const json = (value: unknown): string => JSON.stringify(value, null, 2);

describe('extracting npm components', () => {
  const work = new Workspace();
  afterAll(() => work.cleanup());

  it('reads an npm tarball: the package itself, its shrinkwrap and its bundled dependencies', async () => {
    const tgz = await makeTgz([
      { name: 'package/package.json', content: json({ name: '@acme/widget', version: '1.2.3' }) },
      { name: 'package/index.js', content: 'module.exports = 1;\n' },
      {
        name: 'package/node_modules/left-pad/package.json',
        content: json({ name: 'left-pad', version: '1.3.0' }),
      },
      // A module-type marker in a subfolder is no package root.
      { name: 'package/node_modules/left-pad/esm/package.json', content: json({ type: 'module' }) },
      {
        name: 'package/node_modules/@scope/inner/package.json',
        content: json({ name: '@scope/inner', version: '0.4.0' }),
      },
      {
        name: 'package/npm-shrinkwrap.json',
        content: json({
          name: '@acme/widget',
          version: '1.2.3',
          lockfileVersion: 3,
          packages: {
            '': { name: '@acme/widget', version: '1.2.3', dependencies: { ms: '^2.1.0' } },
            'node_modules/ms': { version: '2.1.3', resolved: 'https://example.test/ms/-/ms-2.1.3.tgz' },
          },
        }),
      },
    ]);
    const components = componentsOf(await work.extract('widget-1.2.3.tgz', tgz, 'npm'));
    expect(components).toEqual([
      {
        ecosystem: 'npm',
        name: '@acme/widget',
        version: '1.2.3',
        location: 'widget-1.2.3.tgz!package/package.json',
      },
      {
        ecosystem: 'npm',
        name: 'left-pad',
        version: '1.3.0',
        location: 'widget-1.2.3.tgz!package/node_modules/left-pad/package.json',
      },
      {
        ecosystem: 'npm',
        name: '@scope/inner',
        version: '0.4.0',
        location: 'widget-1.2.3.tgz!package/node_modules/@scope/inner/package.json',
      },
      {
        ecosystem: 'npm',
        name: 'ms',
        version: '2.1.3',
        location: 'widget-1.2.3.tgz!package/npm-shrinkwrap.json',
        direct: true,
      },
    ]);
  });

  it('fails an npm tarball whose own package.json has no version', async () => {
    const tgz = await makeTgz([{ name: 'package/package.json', content: json({ name: 'nameless' }) }]);
    const result = await work.extract('nameless.tgz', tgz, 'npm');
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/package\/package\.json.*"version"/),
    });
  });

  it('keeps the first location of a component found twice', async () => {
    const tgz = await makeTgz([
      { name: 'package/package.json', content: json({ name: 'app', version: '1.0.0' }) },
      { name: 'package/node_modules/ms/package.json', content: json({ name: 'ms', version: '2.1.3' }) },
      {
        name: 'package/package-lock.json',
        content: json({
          lockfileVersion: 3,
          packages: { '': { dependencies: { ms: '2.1.3' } }, 'node_modules/ms': { version: '2.1.3' } },
        }),
      },
    ]);
    const components = componentsOf(await work.extract('app-1.0.0.tgz', tgz, 'npm'));
    expect(components.filter((c) => c.name === 'ms')).toEqual([
      {
        ecosystem: 'npm',
        name: 'ms',
        version: '2.1.3',
        location: 'app-1.0.0.tgz!package/node_modules/ms/package.json',
        direct: true,
      },
    ]);
  });

  it('reads a v3 package-lock.json with scopes, aliases and workspaces, skipping links and git sources', async () => {
    const lock = {
      name: 'monorepo',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': {
          name: 'monorepo',
          workspaces: ['packages/*'],
          dependencies: { express: '^4.18.0', 'my-alias': 'npm:real-pkg@^1.0.0', gitdep: 'github:o/r' },
          devDependencies: { '@types/node': '^20.0.0' },
        },
        'node_modules/express': { version: '4.18.2', resolved: 'https://example.test/express-4.18.2.tgz' },
        'node_modules/express/node_modules/debug': { version: '2.6.9' },
        'node_modules/@types/node': { version: '20.11.5', dev: true },
        'node_modules/my-alias': { name: 'real-pkg', version: '1.0.4' },
        'node_modules/gitdep': { version: '0.1.0', resolved: 'git+ssh://git@example.test/o/r.git#abc' },
        'node_modules/app': { resolved: 'packages/app', link: true },
        'packages/app': { name: 'app', version: '0.0.1', dependencies: { lodash: '^4.17.0', chalk: '^5' } },
        'packages/app/node_modules/lodash': { version: '4.17.21' },
        'node_modules/chalk': { version: '5.3.0' },
        'node_modules/ms': { version: '2.0.0' },
      },
    };
    const components = componentsOf(await work.extract('package-lock.json', json(lock)));
    expect(components).toEqual([
      { ecosystem: 'npm', name: 'express', version: '4.18.2', location: 'package-lock.json', direct: true },
      { ecosystem: 'npm', name: 'debug', version: '2.6.9', location: 'package-lock.json', direct: false },
      {
        ecosystem: 'npm',
        name: '@types/node',
        version: '20.11.5',
        location: 'package-lock.json',
        direct: true,
      },
      { ecosystem: 'npm', name: 'real-pkg', version: '1.0.4', location: 'package-lock.json', direct: true },
      { ecosystem: 'npm', name: 'lodash', version: '4.17.21', location: 'package-lock.json', direct: true },
      { ecosystem: 'npm', name: 'chalk', version: '5.3.0', location: 'package-lock.json', direct: true },
      { ecosystem: 'npm', name: 'ms', version: '2.0.0', location: 'package-lock.json', direct: false },
    ]);
  });

  it('reads the packages map of a v2 lockfile rather than its legacy dependencies', async () => {
    const lock = {
      lockfileVersion: 2,
      packages: { '': { dependencies: { ms: '^2' } }, 'node_modules/ms': { version: '2.1.3' } },
      dependencies: { ms: { version: '2.1.2' } },
    };
    expect(componentsOf(await work.extract('npm-shrinkwrap.json', json(lock)))).toEqual([
      { ecosystem: 'npm', name: 'ms', version: '2.1.3', location: 'npm-shrinkwrap.json', direct: true },
    ]);
  });

  it('reads a v1 lockfile tree with nested versions and aliases, skipping git and file sources', async () => {
    const lock = {
      name: 'legacy',
      lockfileVersion: 1,
      requires: true,
      dependencies: {
        express: {
          version: '4.17.1',
          dependencies: { debug: { version: '2.6.9', dependencies: { ms: { version: '2.0.0' } } } },
        },
        'my-alias': { version: 'npm:@scope/real@3.1.0' },
        local: { version: 'file:../local' },
        fromgit: { version: 'git+https://example.test/o/r.git#0123abc' },
        ms: { version: '2.1.3' },
      },
    };
    const names = componentsOf(await work.extract('package-lock.json', json(lock))).map(
      (c) => `${c.name}@${c.version}${c.direct === undefined ? '' : '!'}`,
    );
    expect(names.sort()).toEqual([
      '@scope/real@3.1.0',
      'debug@2.6.9',
      'express@4.17.1',
      'ms@2.0.0',
      'ms@2.1.3',
    ]);
  });

  it('fails a package-lock.json that is not JSON', async () => {
    const result = await work.extract('package-lock.json', '{"lockfileVersion": 3, ');
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^package-lock\.json: not valid JSON/),
    });
  });

  it('reads a yarn v1 lockfile with scoped names, grouped ranges and aliases, skipping local sources', async () => {
    const lock = [
      '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.',
      '# yarn lockfile v1',
      '',
      '',
      '"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":',
      '  version "7.12.13"',
      '  resolved "https://example.test/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826b"',
      '  integrity sha512-AAAA',
      '  dependencies:',
      '    "@babel/highlight" "^7.12.13"',
      '    version "^1.0.0"',
      '',
      'lodash@^4.17.20, lodash@^4.17.21:',
      '  version "4.17.21"',
      '',
      'string-width-cjs@npm:string-width@^4.2.0:',
      '  version "4.2.3"',
      '',
      '"local-thing@file:./local":',
      '  version "0.0.1"',
      '',
      'from-github@user/repo#main:',
      '  version "1.0.0"',
      '',
    ].join('\n');
    expect(componentsOf(await work.extract('yarn.lock', lock))).toEqual([
      { ecosystem: 'npm', name: '@babel/code-frame', version: '7.12.13', location: 'yarn.lock' },
      { ecosystem: 'npm', name: 'lodash', version: '4.17.21', location: 'yarn.lock' },
      { ecosystem: 'npm', name: 'string-width', version: '4.2.3', location: 'yarn.lock' },
    ]);
  });

  it('reads a yarn 2+ lockfile by its resolutions, skipping workspaces', async () => {
    const lock = [
      '__metadata:',
      '  version: 6',
      '  cacheKey: 8',
      '',
      '"@types/node@npm:^20.0.0":',
      '  version: 20.11.5',
      '  resolution: "@types/node@npm:20.11.5"',
      '',
      '"app@workspace:.":',
      '  version: 0.0.0-use.local',
      '  resolution: "app@workspace:."',
      '',
    ].join('\n');
    expect(componentsOf(await work.extract('yarn.lock', lock))).toEqual([
      { ecosystem: 'npm', name: '@types/node', version: '20.11.5', location: 'yarn.lock' },
    ]);
  });

  it('reads npm tarballs bundled inside a tar, streaming each one', async () => {
    const pack = (name: string, version: string) =>
      makeTgz([{ name: 'package/package.json', content: json({ name, version }) }]);
    const bundle = await makeTar([
      { name: 'deps/ms-2.1.3.tgz', content: await pack('ms', '2.1.3') },
      { name: 'deps/scoped.tgz', content: await pack('@acme/util', '0.2.0') },
      { name: 'deps/notes.txt', content: 'no package here\n' },
    ]);
    expect(componentsOf(await work.extract('offline-deps.tar', bundle))).toEqual([
      {
        ecosystem: 'npm',
        name: 'ms',
        version: '2.1.3',
        location: 'offline-deps.tar!deps/ms-2.1.3.tgz!package/package.json',
      },
      {
        ecosystem: 'npm',
        name: '@acme/util',
        version: '0.2.0',
        location: 'offline-deps.tar!deps/scoped.tgz!package/package.json',
      },
    ]);
  });

  it('reads lockfiles carried inside zip and tar.gz archives, naming the entry in the location', async () => {
    const lock = json({ lockfileVersion: 3, packages: { '': {}, 'node_modules/ms': { version: '2.1.3' } } });
    const zip = await makeZip([{ name: 'app/package-lock.json', content: lock }]);
    const tgz = await makeTgz([{ name: './app/package-lock.json', content: lock }]);
    for (const [name, bytes] of [
      ['bundle.zip', zip],
      ['bundle.tar.gz', tgz],
    ] as const) {
      expect(componentsOf(await work.extract(name, bytes))).toEqual([
        {
          ecosystem: 'npm',
          name: 'ms',
          version: '2.1.3',
          location: `${name}!app/package-lock.json`,
          direct: false,
        },
      ]);
    }
  });
});
