import net from 'node:net';
import type { ParseArgsConfig } from 'node:util';
import { parseDuration } from '../../policy/parse-inputs.js';
import { configProblems, parseConfig, type ServerConfig } from '../config.js';
import { checkSyncSource } from '../scan/advisories/sync.js';
import { loadConfigFile } from './config-file.js';
import { messageOf, UsageError } from './io.js';
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, SETTINGS, settingAt, type Setting } from './settings.js';

/** Parsed flag values, as `parseArgs` returns them. */
export type FlagValues = Record<string, string | boolean | undefined>;

/** The `parseArgs` options for every setting (booleans also as `--no-<flag>`) and `--config`. */
export function settingOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = { [CONFIG_FILE_FLAG]: { type: 'string' } };
  for (const setting of SETTINGS) {
    options[setting.flag] = { type: setting.kind === 'boolean' ? 'boolean' : 'string' };
    if (setting.kind === 'boolean') options[`no-${setting.flag}`] = { type: 'boolean' };
  }
  return options;
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether `entry` is an address, a CIDR or one of proxy-addr's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_KEYWORDS.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = net.isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Reads a setting's text into the value its config key holds; throws a message without the source. */
function convert(setting: Setting, text: string): unknown {
  const trimmed = text.trim();
  switch (setting.kind) {
    case 'integer':
      if (!/^\d+$/.test(trimmed)) throw new Error(`expected a whole number, got '${text}'`);
      return Number(trimmed);
    case 'boolean':
      if (/^(true|1|yes)$/i.test(trimmed)) return true;
      if (/^(false|0|no)$/i.test(trimmed)) return false;
      throw new Error(`expected true or false, got '${text}'`);
    case 'list':
      return trimmed
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
    case 'integer-list': {
      const items = trimmed.split(',').map((e) => e.trim());
      if (items.some((e) => !/^\d+$/.test(e)))
        throw new Error(`expected whole numbers separated by commas, got '${text}'`);
      return items.map(Number);
    }
    case 'duration':
      return parseDuration(trimmed, `--${setting.flag}`);
    case 'trust-proxy': {
      if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
      if (/^\d+$/.test(trimmed)) return Number(trimmed);
      const entries = trimmed.split(',').map((e) => e.trim());
      const bad = entries.filter((e) => !isProxyAddress(e));
      if (bad.length > 0 || entries.length === 0)
        throw new Error(
          `expected true, false, a hop count or addresses/CIDRs separated by commas; '${bad.join(', ')}' is none of these`,
        );
      return entries;
    }
    case 'blob-store': {
      if (trimmed === 'fs') return { kind: 'fs' };
      const m = /^s3:\/\/([^/]+)\/?$/.exec(trimmed);
      if (!m) throw new Error(`expected fs or s3://BUCKET, got '${text}'`);
      // S3's bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens.
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1]!))
        throw new Error(
          `'${m[1]}' is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)`,
        );
      return { kind: 's3', bucket: m[1] };
    }
    case 'database-url':
      if (!/^postgres(ql)?:\/\//.test(trimmed))
        throw new Error('expected a postgres:// or postgresql:// URL'); // never echo it: it may hold a password
      return trimmed;
    case 'url':
      if (!URL.canParse(trimmed) || !/^https?:$/.test(new URL(trimmed).protocol))
        throw new Error(`expected an http:// or https:// URL, got '${text}'`);
      return trimmed;
    case 'log-level':
    case 'string':
      return trimmed;
  }
}

function getAt(target: Record<string, unknown>, key: string): unknown {
  let node: unknown = target;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function setAt(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/** Puts a setting's value into the configuration being built (a few settings set more than one key). */
function apply(input: Record<string, unknown>, setting: Setting, value: unknown): void {
  if (setting.kind === 'database-url') {
    const current = input.database as Record<string, unknown> | undefined;
    input.database = { ...current, kind: 'postgres', url: value };
  } else if (setting.kind === 'blob-store') {
    const current = (input.blobs ?? {}) as Record<string, unknown>;
    const next = value as { kind: string; bucket?: string };
    const { bucket: _bucket, ...rest } = current;
    input.blobs = next.kind === 'fs' ? { kind: 'fs' } : { ...rest, ...next };
  } else {
    setAt(input, setting.key, value);
  }
}

/**
 * S3 settings without an S3 blob store, or a pool size without PostgreSQL, would otherwise come
 * out of the schema check as a riddle about unions: say what is missing instead.
 */
function checkVariantKeys(input: Record<string, unknown>, sources: Map<string, string>): void {
  const blobs = input.blobs as Record<string, unknown> | undefined;
  const s3Key = ['blobs.endpoint', 'blobs.region', 'blobs.forcePathStyle'].find(
    (key) => getAt(input, key) !== undefined,
  );
  if (blobs && blobs.kind !== 's3' && s3Key)
    throw new UsageError(
      `${sources.get(s3Key) ?? s3Key}: an S3 setting needs an S3 blob store (--blob-store s3://BUCKET, AIRLOCK_BLOB_STORE or blobs.kind: s3 with blobs.bucket).`,
    );
  const database = input.database as Record<string, unknown> | undefined;
  if (database && database.kind !== 'postgres' && database.poolSize !== undefined)
    throw new UsageError(
      `${sources.get('database.poolSize') ?? 'database.poolSize'}: a pool size needs PostgreSQL (--database-url, AIRLOCK_DATABASE_URL or database.kind: postgres with database.url).`,
    );
}

/** Options for {@link resolveServerConfig}. */
export interface ResolveOptions {
  /** Texts used when neither flag, environment nor config file sets a key (a command's own defaults). */
  defaults?: Partial<Record<string, string>>;
}

/**
 * Builds the service configuration from flags, environment (AIRLOCK_*) and a YAML config file
 * (`--config` / AIRLOCK_CONFIG), in that order of precedence, then the schema's defaults. Every
 * problem names the flag, variable or config key (and file) it came from.
 */
export function resolveServerConfig(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  options: ResolveOptions = {},
): ServerConfig {
  const file = (values[CONFIG_FILE_FLAG] as string | undefined) ?? (env[CONFIG_FILE_ENV] || undefined);
  const input: Record<string, unknown> = file ? loadConfigFile(file) : {};
  const sources = new Map<string, string>();
  for (const setting of SETTINGS) {
    if (file && getAt(input, setting.key) !== undefined)
      sources.set(setting.key, `${setting.key} in ${file}`);
  }

  for (const setting of SETTINGS) {
    let text: string | undefined;
    let source = '';
    const flag = values[setting.flag];
    const negated = values[`no-${setting.flag}`];
    const envName = setting.env.find((name) => env[name] !== undefined && env[name] !== '');
    if (flag !== undefined || negated !== undefined) {
      text = typeof flag === 'string' ? flag : String(negated === undefined);
      source = `--${setting.flag}`;
    } else if (envName) {
      text = env[envName];
      source = envName;
    } else if (getAt(input, setting.key) === undefined && options.defaults?.[setting.key] !== undefined) {
      text = options.defaults[setting.key];
      source = `the default of --${setting.flag}`;
    }
    if (text === undefined) continue;
    try {
      apply(input, setting, convert(setting, text));
    } catch (err) {
      throw new UsageError(`${source}: ${messageOf(err)}`);
    }
    sources.set(setting.key, source);
  }

  if (typeof input.dataDir !== 'string' || input.dataDir === '')
    throw new UsageError('--data-dir (or AIRLOCK_DATA_DIR, or dataDir in the config file) is required.');
  const advisories = input.advisories as Record<string, unknown> | undefined;
  if (typeof advisories?.source === 'string') {
    try {
      checkSyncSource(advisories.source);
    } catch (err) {
      throw new UsageError(`${sources.get('advisories.source') ?? '--advisories-source'}: ${messageOf(err)}`);
    }
  }
  checkVariantKeys(input, sources);
  const problems = configProblems(input);
  if (problems.length > 0) {
    const named = problems.map((problem) => {
      const setting = settingAt(problem.path);
      const where = setting ? (sources.get(setting.key) ?? `--${setting.flag}`) : problem.path;
      return `${where}: ${problem.message}`;
    });
    throw new UsageError([...new Set(named)].join('; '));
  }
  return parseConfig(input as Parameters<typeof parseConfig>[0]);
}
