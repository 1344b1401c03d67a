import { componentsOf, Workspace } from './archives.js';

const summary = (result: Awaited<ReturnType<Workspace['extract']>>): string[] =>
  componentsOf(result).map((c) => `${c.name}@${c.version} direct=${String(c.direct)}`);

describe('extracting pnpm lockfiles', () => {
  const work = new Workspace();
  afterAll(() => work.cleanup());

  it('reads v5 keys (/name/version_peers), including registry-prefixed and scoped ones', async () => {
    const lock = `lockfileVersion: 5.4

specifiers:
  '@babel/core': ^7.20.0
  react-dom: ^18.2.0
  aliased: npm:real-thing@^2.0.0

dependencies:
  react-dom: 18.2.0_react@18.2.0
  aliased: /real-thing/2.0.1

devDependencies:
  '@babel/core': 7.20.12

packages:

  /@babel/core/7.20.12:
    resolution: {integrity: sha512-AAAA}
    dev: true

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-BBBB}
    peerDependencies:
      react: ^18.2.0

  /react/18.2.0:
    resolution: {integrity: sha512-CCCC}

  /real-thing/2.0.1:
    resolution: {integrity: sha512-DDDD}

  registry.example.test/@corp/tool/1.0.0:
    resolution: {integrity: sha512-EEEE}

  github.com/user/repo/0123456789abcdef:
    resolution: {tarball: https://codeload.example.test/user/repo/tar.gz/0123456789abcdef}
    name: repo
    version: 0.0.1
`;
    expect(summary(await work.extract('pnpm-lock.yaml', lock))).toEqual([
      '@babel/core@7.20.12 direct=true',
      'react-dom@18.2.0 direct=true',
      'react@18.2.0 direct=false',
      'real-thing@2.0.1 direct=true',
      '@corp/tool@1.0.0 direct=false',
    ]);
  });

  it('reads v6 keys (/name@version(peers)) with importers and aliases', async () => {
    const lock = `lockfileVersion: '6.0'

settings:
  autoInstallPeers: true

importers:

  .:
    dependencies:
      '@emotion/react':
        specifier: ^11.11.0
        version: 11.11.1(@types/react@18.2.0)(react@18.2.0)
      my-alias:
        specifier: npm:string-width@^4.2.0
        version: /string-width@4.2.3

  packages/web:
    dependencies:
      ui-kit:
        specifier: workspace:*
        version: link:../ui-kit
      lodash_merge_like:
        specifier: ^1.0.0
        version: 1.0.0

packages:

  /@emotion/react@11.11.1(@types/react@18.2.0)(react@18.2.0):
    resolution: {integrity: sha512-AAAA}

  /string-width@4.2.3:
    resolution: {integrity: sha512-BBBB}

  /lodash_merge_like@1.0.0:
    resolution: {integrity: sha512-CCCC}

  /react@18.2.0:
    resolution: {integrity: sha512-DDDD}
`;
    expect(summary(await work.extract('pnpm-lock.yaml', lock))).toEqual([
      '@emotion/react@11.11.1 direct=true',
      'string-width@4.2.3 direct=true',
      'lodash_merge_like@1.0.0 direct=true',
      'react@18.2.0 direct=false',
    ]);
  });

  it('reads v9 keys (name@version) from packages, ignoring snapshots and non-registry sources', async () => {
    const lock = `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      '@scope/pkg':
        specifier: ^2.0.0
        version: 2.1.0
      alias-name:
        specifier: npm:real@^1.0.0
        version: real@1.2.0
      react-dom:
        specifier: ^18
        version: 18.2.0(react@18.2.0)
      local:
        specifier: file:../local
        version: file:../local

packages:

  '@scope/pkg@2.1.0':
    resolution: {integrity: sha512-AAAA}

  real@1.2.0:
    resolution: {integrity: sha512-BBBB}

  react-dom@18.2.0:
    resolution: {integrity: sha512-CCCC}

  react@18.2.0:
    resolution: {integrity: sha512-DDDD}

  local@file:../local:
    resolution: {directory: ../local, type: directory}

  tarball@https://example.test/tarball-1.0.0.tgz:
    resolution: {tarball: https://example.test/tarball-1.0.0.tgz}
    version: 1.0.0

snapshots:

  '@scope/pkg@2.1.0': {}

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      react: 18.2.0
`;
    expect(summary(await work.extract('pnpm-lock.yaml', lock))).toEqual([
      '@scope/pkg@2.1.0 direct=true',
      'real@1.2.0 direct=true',
      'react-dom@18.2.0 direct=true',
      'react@18.2.0 direct=false',
    ]);
  });

  it('fails a pnpm-lock.yaml that has no lockfileVersion', async () => {
    const result = await work.extract('pnpm-lock.yaml', 'packages:\n  /a@1.0.0: {}\n');
    expect(result).toEqual({ status: 'failed', reason: expect.stringContaining('no lockfileVersion') });
  });
});
