import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Checks values against the config's JSON schemas with Ajv, which the HTTP layer loads anyway:
 * TypeBox's own checker (`typebox/value`) would load some 300 more modules into every server
 * process for a check that runs once at start.
 */

/** The parts of a JSON schema that filling defaults walks. */
interface SchemaNode {
  type?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
  const?: unknown;
}

/** One problem of a value: where (a JSON pointer, `''` for the root) and what. */
export interface SchemaError {
  instancePath: string;
  message: string;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The union variant a value belongs to, for tagged unions (`{kind: 'sqlite'} | {kind:
 * 'postgres', …}`) only: their variants carry defaults of their own (an S3 store's region).
 */
function taggedVariant(schema: SchemaNode, value: unknown): SchemaNode | undefined {
  if (!schema.anyOf || !isMapping(value)) return undefined;
  return schema.anyOf.find(
    (v) => v.properties?.kind?.const !== undefined && v.properties.kind.const === value.kind,
  );
}

/**
 * Fills in the schema's defaults where the value leaves a key out, in place and at every depth
 * (an object default such as `limits: {}` gets its own keys' defaults too). Returns the value,
 * or the default when the value itself is missing.
 */
export function fillDefaults(schema: SchemaNode, value: unknown): unknown {
  const filled =
    value === undefined && schema.default !== undefined ? structuredClone(schema.default) : value;
  const node = taggedVariant(schema, filled) ?? schema;
  if (node.properties && isMapping(filled)) {
    for (const [key, sub] of Object.entries(node.properties)) {
      const item = fillDefaults(sub, filled[key]);
      if (item !== undefined) filled[key] = item;
    }
  }
  return filled;
}

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/** Every way the value breaks the schema (none when it fits); the validator is compiled once per schema. */
export function schemaErrors(schema: object, value: unknown): SchemaError[] {
  let validate = compiled.get(schema);
  if (!validate) {
    // strict: false because TypeBox schemas carry keys of their own besides JSON Schema's.
    ajv ??= new Ajv({ allErrors: true, strict: false });
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => ({
    instancePath: e.instancePath,
    message: e.message ?? 'is invalid',
  }));
}
