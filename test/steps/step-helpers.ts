import fs from 'node:fs';
import path from 'node:path';
import type { RepositoryClient } from '../../src/client/client.js';
import type { ConnectionSettings } from '../../src/config/connection.js';
import type { PushSettings } from '../../src/config/push.js';
import { connect } from '../../src/steps/connect.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { fakeTiming } from '../helpers/scripted-server.js';
import { api } from '../helpers/upload.js';
import type { TestServer } from '../helpers/server.js';
import { coreMetadata, npmTarball, projectHeaders, sdist, wheel } from '../fixtures/packages/archives.js';

/** Creates repositories in the test org, with the admin key. */
export async function createRepos(server: TestServer, ...names: string[]): Promise<void> {
  for (const name of names) {
    const res = await api(server, 'POST', `/repos/${server.org}/`, { name });
    if (res.status !== 201)
      throw new Error(`creating repo ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Connection settings for the admin key of a test server (or any URL in front of it). */
export function adminConnection(server: TestServer, url = server.url): ConnectionSettings {
  return { apiUrl: url, apiKey: server.adminKey, retries: 3 };
}

/** A client as the steps build it, with timings that never sleep (the waits are recorded). */
export function stepClient(
  runtime: FakeRuntime,
  connection: ConnectionSettings,
): { client: RepositoryClient; timing: ReturnType<typeof fakeTiming> } {
  const timing = fakeTiming();
  return { client: connect(runtime, connection, { timing }), timing };
}

/** Push settings with the defaults of push/action.yml and the given overrides. */
export function pushSettings(
  connection: ConnectionSettings,
  overrides: Partial<PushSettings> & Pick<PushSettings, 'files'>,
): PushSettings {
  return {
    connection,
    owner: 'acme',
    repo: 'dev',
    format: 'auto',
    tags: [],
    republish: false,
    parallel: 4,
    ...overrides,
  };
}

/** Writes bytes to `dir/name` and returns the path. */
export function writeFile(dir: string, name: string, bytes: Buffer | string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** An npm tarball of `name@version` as `npm pack` names it, written into `dir`. */
export async function writeNpm(dir: string, name: string, version: string, license = 'MIT'): Promise<string> {
  return writeFile(dir, `${name}-${version}.tgz`, await npmTarball({ name, version, license }));
}

/** A wheel of `dist` `version`, written into `dir`. */
export async function writeWheel(dir: string, dist: string, version: string): Promise<string> {
  const metadata = coreMetadata(projectHeaders(dist, version, [['License-Expression', 'MIT']]));
  return writeFile(dir, `${dist}-${version}-py3-none-any.whl`, await wheel(dist, version, metadata));
}

/** An sdist of `dist` `version`, written into `dir`. */
export async function writeSdist(dir: string, dist: string, version: string): Promise<string> {
  const metadata = coreMetadata(projectHeaders(dist, version));
  return writeFile(dir, `${dist}-${version}.tar.gz`, await sdist(dist, version, metadata));
}

/** The live packages of a repository, as the API lists them. */
export async function listPackages(
  server: TestServer,
  repo: string,
): Promise<
  {
    slug_perm: string;
    name: string;
    version: string;
    checksum_sha256: string;
    tags: Record<string, string[]>;
  }[]
> {
  const res = await api<
    {
      slug_perm: string;
      name: string;
      version: string;
      checksum_sha256: string;
      tags: Record<string, string[]>;
    }[]
  >(server, 'GET', `/packages/${server.org}/${repo}/?page_size=100`);
  if (res.status !== 200) throw new Error(`listing ${repo}: ${res.status}`);
  return res.body;
}

export { FakeRuntime };
