import { Ajv, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { textProblem, type TextKind } from '../../api/text.js';

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
  });
  // ajv-formats is CommonJS: its default import is module.exports, whose `default` is the plugin.
  formats.default(ajv);
  addTextKeyword(ajv);
  return ajv;
}

/**
 * `textKind: 'identifier' | 'text'` on a string schema refuses control and bidirectional
 * formatting characters (src/api/text.ts), with a message naming the character.
 */
function addTextKeyword(ajv: Ajv): void {
  const validate: SchemaValidateFunction = (kind: TextKind, data: unknown): boolean => {
    const problem = typeof data === 'string' ? textProblem(data, kind) : null;
    validate.errors = problem ? [{ keyword: 'textKind', message: problem, params: { textKind: kind } }] : [];
    return problem === null;
  };
  ajv.addKeyword({ keyword: 'textKind', schemaType: 'string', errors: true, validate });
}

/**
 * Validators per part of the request: query strings, path parameters and headers arrive as text
 * and are coerced to the schema's types (`?page=2`); JSON bodies are not, so `{"name": 42}` is
 * refused rather than quietly read as "42".
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = makeAjv(true);
  const strict = makeAjv(false);
  const cache = new WeakMap<object, ValidateFunction>();
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    const key = schema as object;
    if (httpPart === 'body') {
      const hit = cache.get(key);
      if (hit) return hit;
    }
    const validate = ajv.compile(schema as object);
    if (httpPart === 'body') cache.set(key, validate);
    return validate;
  };
}
