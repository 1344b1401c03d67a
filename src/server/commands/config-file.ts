import fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { ServerConfigSchema } from '../config.js';
import { schemaErrors } from '../schema-check.js';
import { UsageError } from './io.js';

/** The parts of a JSON schema the config-file check walks. */
interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
  const?: unknown;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a value against a schema node, key by key, so each problem names the key it is about:
 * unknown keys, and values of the wrong type (with the schema's own words for what was expected).
 */
function check(schema: SchemaNode, value: unknown, key: string, problems: string[]): void {
  if (schema.type === 'object' && schema.properties) {
    if (!isMapping(value)) {
      problems.push(`${key}: expected a mapping of keys`);
      return;
    }
    for (const [name, item] of Object.entries(value)) {
      const sub = schema.properties[name];
      const path = key ? `${key}.${name}` : name;
      if (!sub) problems.push(`unknown key '${path}'`);
      else check(sub, item, path, problems);
    }
    return;
  }
  const variants = schema.anyOf?.filter((v) => v.properties?.kind?.const !== undefined) ?? [];
  if (variants.length > 0 && variants.length === schema.anyOf?.length) {
    // Tagged unions (database, blobs): pick the variant by `kind`, then check its keys.
    const kinds = variants.map((v) => String(v.properties!.kind!.const));
    const variant = isMapping(value)
      ? variants.find((v) => v.properties!.kind!.const === value.kind)
      : undefined;
    if (!variant) problems.push(`${key}.kind: expected one of ${kinds.join(', ')}`);
    else check(variant, value, key, problems);
    return;
  }
  const first = schemaErrors(schema, value)[0];
  if (first) problems.push(`${key}${first.instancePath.replaceAll('/', '.')}: ${first.message}`);
}

/**
 * Reads a YAML config file whose keys mirror the config schema (camelCase, nested as there).
 * Throws a usage error naming the file and every unknown or mistyped key.
 */
export function loadConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unreadable';
    throw new UsageError(`config file ${file} cannot be read (${code}).`);
  }
  // yaml is required here rather than imported: most servers run without a config file, and
  // loading it at start would keep its 70-odd modules resident in every one of them.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof Yaml;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new UsageError(`config file ${file} is not valid YAML: ${doc.errors[0]!.message}`);
  }
  const value: unknown = doc.toJS() ?? {};
  const problems: string[] = [];
  check(ServerConfigSchema as SchemaNode, value, '', problems);
  if (problems.length > 0) throw new UsageError(`config file ${file}: ${problems.join('; ')}.`);
  return value as Record<string, unknown>;
}
