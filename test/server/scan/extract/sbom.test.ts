import { parsePurl } from '../../../../src/server/scan/extract/parsers/purl.js';
import { componentsOf, makeZip, Workspace } from './archives.js';

const CYCLONEDX = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  version: 1,
  metadata: {
    component: { type: 'application', name: 'shop', version: '3.0.0', purl: 'pkg:npm/%40acme/shop@3.0.0' },
  },
  components: [
    { type: 'library', name: 'lodash', version: '4.17.21', purl: 'pkg:npm/lodash@4.17.21' },
    {
      type: 'library',
      name: 'Flask_SQLAlchemy',
      version: '3.1.1',
      purl: 'pkg:pypi/Flask_SQLAlchemy@3.1.1?extension=whl',
      components: [{ type: 'library', name: 'mux', purl: 'pkg:golang/github.com/gorilla/mux@v1.8.1#subdir' }],
    },
    { type: 'library', name: 'serde', purl: 'pkg:cargo/serde@1.0.193' },
    { type: 'library', name: 'guava', purl: 'pkg:maven/com.google.guava/guava@32.1.3-jre' },
    { type: 'library', name: 'unversioned', purl: 'pkg:npm/unversioned' },
    { type: 'library', name: 'no-purl' },
  ],
};

const SPDX = {
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'shop',
  packages: [
    {
      SPDXID: 'SPDXRef-Package-npm-types-node',
      name: '@types/node',
      versionInfo: '20.11.5',
      externalRefs: [
        { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:*' },
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:npm/%40types/node@20.11.5',
        },
      ],
    },
    {
      SPDXID: 'SPDXRef-Package-pypi-requests',
      name: 'requests',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE_MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:pypi/requests@2.31.0',
        },
      ],
    },
    { SPDXID: 'SPDXRef-Package-no-refs', name: 'bare' },
  ],
};

describe('extracting SBOM components', () => {
  const work = new Workspace();
  afterAll(() => work.cleanup());

  it('reads a CycloneDX JSON SBOM by purl, including the subject and nested components', async () => {
    const location = 'shop.cdx.json';
    expect(componentsOf(await work.extract(location, JSON.stringify(CYCLONEDX)))).toEqual([
      { ecosystem: 'npm', name: '@acme/shop', version: '3.0.0', location },
      { ecosystem: 'npm', name: 'lodash', version: '4.17.21', location },
      { ecosystem: 'PyPI', name: 'flask-sqlalchemy', version: '3.1.1', location },
      { ecosystem: 'crates.io', name: 'serde', version: '1.0.193', location },
      { ecosystem: 'Go', name: 'github.com/gorilla/mux', version: 'v1.8.1', location },
    ]);
  });

  it('reads an SPDX JSON SBOM by its purl external references', async () => {
    const location = 'shop.spdx.json';
    expect(componentsOf(await work.extract(location, JSON.stringify(SPDX)))).toEqual([
      { ecosystem: 'npm', name: '@types/node', version: '20.11.5', location },
      { ecosystem: 'PyPI', name: 'requests', version: '2.31.0', location },
    ]);
  });

  it('recognises an SBOM by its content when its name does not say what it is', async () => {
    const result = await work.extract('build-output.json', JSON.stringify(SPDX));
    expect(componentsOf(result).map((c) => c.name)).toEqual(['@types/node', 'requests']);
  });

  it('reads an SBOM carried inside an archive', async () => {
    const zip = await makeZip([{ name: 'dist/bom.json', content: JSON.stringify(SPDX) }]);
    expect(componentsOf(await work.extract('release.zip', zip))[0].location).toBe(
      'release.zip!dist/bom.json',
    );
  });

  it('fails a file named as an SBOM that is neither CycloneDX nor SPDX', async () => {
    const result = await work.extract('sbom.json', JSON.stringify({ hello: 'world' }));
    expect(result).toEqual({ status: 'failed', reason: 'sbom.json: not a CycloneDX or SPDX JSON document.' });
  });

  it('decodes purl namespaces and versions and ignores unsupported, versionless or malformed purls', () => {
    expect(parsePurl('pkg:npm/%40scope/name@1.0.0')).toEqual({
      ecosystem: 'npm',
      name: '@scope/name',
      version: '1.0.0',
    });
    expect(parsePurl('pkg:npm/@scope/name@1.0.0-rc.1')).toEqual({
      ecosystem: 'npm',
      name: '@scope/name',
      version: '1.0.0-rc.1',
    });
    expect(parsePurl('pkg:NPM/left-pad@1.3.0?vcs_url=x#lib')).toEqual({
      ecosystem: 'npm',
      name: 'left-pad',
      version: '1.3.0',
    });
    expect(parsePurl('pkg:golang/golang.org/x/net@v0.0.0-20220722155237-a158d28d115b')).toEqual({
      ecosystem: 'Go',
      name: 'golang.org/x/net',
      version: 'v0.0.0-20220722155237-a158d28d115b',
    });
    expect(parsePurl('pkg:pypi/zope.interface@6.1%2Blocal')).toEqual({
      ecosystem: 'PyPI',
      name: 'zope-interface',
      version: '6.1+local',
    });
    expect(parsePurl('pkg:npm/@scope/name')).toBeNull();
    expect(parsePurl('pkg:gem/rails@7.1.0')).toBeNull();
    expect(parsePurl('pkg:npm/bad%zzname@1.0.0')).toBeNull();
    expect(parsePurl('not a purl')).toBeNull();
  });
});
