import type { Type as TypeBox } from 'typebox';

/**
 * The schema builders the wire contract uses, with TypeBox's types (so `Static<>` and the route
 * type provider work unchanged) but without loading TypeBox at run time: its few hundred modules
 * were the largest part of the service's idle memory, and all the service needs from them at run
 * time is the plain JSON Schema objects these functions build. Each builder makes the same schema
 * TypeBox makes (test/api/type.test.ts compares them), including the hidden `~kind` and
 * `~optional` markers that `Object` and `Partial` read.
 */
export type SchemaBuilders = Pick<
  typeof TypeBox,
  | 'Array'
  | 'Boolean'
  | 'Enum'
  | 'Integer'
  | 'Intersect'
  | 'Literal'
  | 'Null'
  | 'Number'
  | 'Object'
  | 'Optional'
  | 'Partial'
  | 'Record'
  | 'String'
  | 'Union'
  | 'Unknown'
  | 'With'
>;

type Schema = Record<string, unknown>;
type Options = Record<string, unknown> | undefined;

/** Adds `hidden` as non-enumerable properties: they mark the schema for the builders, not for JSON. */
function hide(schema: Schema, hidden: Schema): Schema {
  for (const [key, value] of Object.entries(hidden)) {
    Object.defineProperty(schema, key, { configurable: true, writable: true, enumerable: false, value });
  }
  return schema;
}

function create(kind: string, body: Schema, options: Options): Schema {
  return hide({ ...body, ...options }, { '~kind': kind });
}

/** A copy of `schema` (its markers too) with `hidden` markers and `options` added. */
function update(schema: Schema, hidden: Schema, options: Options): Schema {
  const copy: Schema = { ...schema, ...options };
  hide(copy, { '~kind': schema['~kind'] });
  if (schema['~optional'] === true) hide(copy, { '~optional': true });
  return hide(copy, hidden);
}

function objectSchema(properties: Record<string, Schema>, options: Options): Schema {
  const required = Object.keys(properties).filter((key) => properties[key]!['~optional'] !== true);
  const body: Schema =
    required.length > 0 ? { type: 'object', required, properties } : { type: 'object', properties };
  return create('Object', body, options);
}

const builders = {
  Array: (items: Schema, options?: Options) => create('Array', { type: 'array', items }, options),
  Boolean: (options?: Options) => create('Boolean', { type: 'boolean' }, options),
  Enum: (values: unknown[], options?: Options) => create('Enum', { enum: values }, options),
  Integer: (options?: Options) => create('Integer', { type: 'integer' }, options),
  Intersect: (types: Schema[], options?: Options) => create('Intersect', { allOf: types }, options),
  Literal: (value: string | number | boolean, options?: Options) =>
    create('Literal', { type: typeof value, const: value }, options),
  Null: (options?: Options) => create('Null', { type: 'null' }, options),
  Number: (options?: Options) => create('Number', { type: 'number' }, options),
  Object: (properties: Record<string, Schema>, options?: Options) => objectSchema(properties, options),
  Optional: (schema: Schema) => update(schema, { '~optional': true }, undefined),
  // As TypeBox does, the result keeps the properties only: not the object's options.
  Partial: (schema: Schema) => {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const optional = Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [
        key,
        update(value, { '~optional': true }, undefined),
      ]),
    );
    return objectSchema(optional, undefined);
  },
  // Every record here is keyed by plain strings, which TypeBox writes as this one pattern.
  Record: (key: Schema, value: Schema, options?: Options) => {
    if (key.type !== 'string') throw new Error('Type.Record here takes string keys only.');
    return create('Record', { type: 'object', patternProperties: { '^.*$': value } }, options);
  },
  String: (options?: Options) => create('String', { type: 'string' }, options),
  Union: (types: Schema[], options?: Options) => create('Union', { anyOf: types }, options),
  Unknown: (options?: Options) => create('Unknown', {}, options),
  With: (schema: Schema, options: Options) => update(schema, {}, options),
};

/**
 * Builds JSON Schemas as TypeBox's `Type` does, for the forms the wire contract uses.
 * The cast gives them TypeBox's signatures: its generic overloads compute the static types,
 * which plain functions building the same objects cannot express.
 */
export const Type = builders as unknown as SchemaBuilders;
