import type { InputSource } from '../runtime/runtime.js';
import type { PushedPackage } from '../steps/types.js';
import { inputOrEnv } from './connection.js';
import { StepEnv } from './names.js';

const FORM =
  'a JSON array of packages as the push action outputs them ([{"slug_perm": "…", "name": "…", …}]), e.g. ${{ steps.push.outputs.packages }}';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(item: Record<string, unknown>, key: keyof PushedPackage): string {
  const value = item[key];
  return typeof value === 'string' ? value : '';
}

/** Parses the `packages` input: {@link FORM}. Throws naming `input` for anything else. */
export function parsePackages(input: string, value: string): PushedPackage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`Input ${input} is not JSON; give ${FORM}.`);
  }
  if (!Array.isArray(parsed)) throw new Error(`Input ${input} is not a JSON array; give ${FORM}.`);
  if (parsed.length === 0) {
    throw new Error(`Input ${input} is an empty list: there is nothing to judge or promote. Give ${FORM}.`);
  }
  return parsed.map((item: unknown, i) => {
    if (!isRecord(item) || typeof item.slug_perm !== 'string' || item.slug_perm.trim() === '') {
      throw new Error(`Input ${input}: item ${i + 1} has no slug_perm; give ${FORM}.`);
    }
    return {
      slug_perm: item.slug_perm.trim(),
      name: text(item, 'name') || item.slug_perm.trim(),
      version: text(item, 'version'),
      format: text(item, 'format'),
      filename: text(item, 'filename'),
      url: text(item, 'url'),
    };
  });
}

/** The `packages` input, or the packages an earlier push step exported (`AIRLOCK_PACKAGES`). */
export function readPackages(runtime: InputSource, input: string): PushedPackage[] {
  const value = inputOrEnv(runtime, input, StepEnv.Packages);
  if (!value) {
    throw new Error(
      `Input ${input} is required: run the push action earlier in the job (it exports ${StepEnv.Packages}) or give ${FORM}.`,
    );
  }
  return parsePackages(input, value);
}
