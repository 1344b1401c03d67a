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
 * An Ajv validator compiled on its first call. Fastify reads two things off a validator besides
 * calling it: `schemaEnv` (whether to pass the parent object, so that coercion can replace a
 * root value) and, after a failure, `errors`; both come from the compiled function.
 */
function compileOnFirstUse(resolve: () => ValidateFunction): ValidateFunction {
  const validate = ((data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) => {
    const target = resolve();
    const valid = target(data, dataCxt);
    validate.errors = target.errors;
    return valid;
  }) as ValidateFunction;
  Object.defineProperty(validate, 'schemaEnv', { get: () => resolve().schemaEnv });
  return validate;
}

/**
 * Validators per part of the request: query strings, path parameters and headers arrive as text
 * and are coerced to the schema's types (`?page=2`); JSON bodies are not, so `{"name": 42}` is
 * refused rather than quietly read as "42". Each is compiled on the route's first request:
 * compiling all of them at start (twice, with the `/v1` alias) held several MiB of generated code
 * for routes a deployment may never call. `compileAll()` compiles the rest (tests use it to check
 * that every schema compiles).
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> & { compileAll(): number } {
  const coercing = makeAjv(true);
  const strict = makeAjv(false);
  const cache = new WeakMap<object, ValidateFunction>();
  const pending = new Set<() => ValidateFunction>();
  const compileNow = (schema: object, httpPart: string | undefined): ValidateFunction => {
    const body = httpPart === 'body';
    const hit = cache.get(schema);
    if (body && hit) return hit;
    const validate = (body ? strict : coercing).compile(schema);
    if (body) cache.set(schema, validate);
    return validate;
  };
  const compiler = ({ schema, httpPart }: { schema: unknown; httpPart?: string }) => {
    let compiled: ValidateFunction | null = null;
    const resolve = (): ValidateFunction => {
      if (!compiled) {
        compiled = compileNow(schema as object, httpPart);
        pending.delete(resolve);
      }
      return compiled;
    };
    pending.add(resolve);
    return compileOnFirstUse(resolve);
  };
  return Object.assign(compiler, {
    compileAll(): number {
      const waiting = [...pending];
      for (const resolve of waiting) resolve();
      return waiting.length;
    },
  });
}
