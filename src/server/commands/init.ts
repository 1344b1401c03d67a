import { parseArgs } from 'node:util';
import type { ServerConfig } from '../config.js';
import { initOrg } from '../domain/orgs.js';
import { openStores } from '../store/open-stores.js';
import type { Io } from './io.js';
import { UsageError } from './io.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';

/** What `init --json` prints. */
export interface InitResult {
  org: string;
  /** The admin service account; null when an existing org has none. */
  service: string | null;
  /** Shown once, when the org is created; null when it already existed. */
  api_key: string | null;
  existed?: true;
  /** The file holding the server secret that replicas must share. */
  secret_file: string;
}

/**
 * Creates the org and its admin service account in the stores the configuration names (the
 * data directory and secret are created on first use). Idempotent: an existing org is left alone.
 */
export async function initService(config: ServerConfig, org: string): Promise<InitResult> {
  const stores = await openStores(config);
  try {
    const result = await initOrg(stores.db, stores.secret, org, new Date());
    const base = { org: result.org, service: result.service, secret_file: stores.secretFile };
    return result.created ? { ...base, api_key: result.apiKey } : { ...base, api_key: null, existed: true };
  } finally {
    await stores.close();
  }
}

/** Prints an init result for people or, with `json`, as one JSON line. */
export function reportInit(result: InitResult, json: boolean, dataDir: string, io: Io): void {
  if (json) io.out(JSON.stringify(result) + '\n');
  else if (result.api_key) {
    io.out(`Created org '${result.org}' and its admin service account '${result.service}'.\n`);
    io.out(`API key (shown once, keep it secret): ${result.api_key}\n`);
    io.out(`Server secret: ${result.secret_file}\n`);
  } else io.out(`Org '${result.org}' already exists in ${dataDir}; nothing changed.\n`);
}

/** `airlock-server init --data-dir DIR --org SLUG [--json]` (and every storage setting). */
export async function runInit(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...settingOptions(), org: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const config = resolveServerConfig(values, io.env);
  if (!values.org) throw new UsageError('init needs --org SLUG.');
  reportInit(await initService(config, values.org), values.json ?? false, config.dataDir, io);
  return 0;
}
