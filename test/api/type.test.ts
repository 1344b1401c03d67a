import { Type as TypeBox } from 'typebox';
import { Type } from '../../src/api/type.js';

/** The schema as JSON plus the hidden markers the builders read, at every depth. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = shape((value as Record<string, unknown>)[key]);
  for (const marker of ['~kind', '~optional']) {
    if (marker in value) out[marker] = (value as Record<string, unknown>)[marker];
  }
  return out;
}

// Each case builds one schema with the given builders: the same code runs against both.
type Builders = typeof Type;
const cases: [string, (t: Builders) => unknown][] = [
  ['String with options', (t) => t.String({ minLength: 1, maxLength: 100, description: 'd' })],
  [
    'Integer, Number, Boolean, Null, Unknown',
    (t) => [t.Integer({ minimum: 1 }), t.Number(), t.Boolean(), t.Null(), t.Unknown()],
  ],
  ['Literal of each type', (t) => [t.Literal('x'), t.Literal(3), t.Literal(true, { description: 'd' })]],
  [
    'Object with required and optional properties',
    (t) =>
      t.Object(
        { a: t.String(), b: t.Optional(t.Integer()), c: t.Optional(t.Array(t.String())) },
        { additionalProperties: false, description: 'd' },
      ),
  ],
  ['Object with no required properties', (t) => t.Object({ b: t.Optional(t.Integer()) })],
  ['empty Object', (t) => t.Object({})],
  ['Union with options', (t) => t.Union([t.String(), t.Null()], { description: 'u' })],
  ['Array with options', (t) => t.Array(t.Object({ a: t.String() }), { maxItems: 3 })],
  [
    'Record with a constrained key',
    (t) => t.Record(t.String({ minLength: 1 }), t.Integer(), { description: 'r' }),
  ],
  ['Enum with options', (t) => t.Enum(['a', 'b'], { description: 'e' })],
  [
    'Intersect with options',
    (t) => t.Intersect([t.Object({ a: t.String() }), t.Object({ b: t.Integer() })], { description: 'i' }),
  ],
  [
    'Partial drops the options and makes every property optional',
    (t) =>
      t.Partial(t.Object({ a: t.String(), b: t.Optional(t.Integer()) }, { additionalProperties: false })),
  ],
  ['an Object of a Partial property', (t) => t.Object({ p: t.Partial(t.Object({ a: t.String() })) })],
  ['With on an object', (t) => t.With(t.Object({ a: t.String() }), { description: 'w' })],
  ['With keeps Optional', (t) => t.Object({ a: t.With(t.Optional(t.String()), { description: 'w' }) })],
  ['Optional over options', (t) => t.Object({ a: t.Optional(t.String({ description: 'd' })) })],
];

describe('the schema builders', () => {
  it.each(cases)('build what TypeBox builds: %s', (_name, build) => {
    expect(shape(build(Type))).toEqual(shape(build(TypeBox as unknown as Builders)));
  });

  it('leave the schema they were given unchanged when they mark it optional or annotate it', () => {
    const inner = Type.String();
    Type.Optional(inner);
    Type.With(inner, { description: 'd' });
    expect(shape(inner)).toEqual({ type: 'string', '~kind': 'String' });
  });

  it('keep the markers out of the JSON', () => {
    expect(JSON.stringify(Type.Object({ a: Type.Optional(Type.String()) }))).toBe(
      '{"type":"object","properties":{"a":{"type":"string"}}}',
    );
  });

  it('refuse a record key they would not write as TypeBox does', () => {
    expect(() => Type.Record(Type.Integer() as never, Type.String())).toThrow(/string keys only/);
  });
});
