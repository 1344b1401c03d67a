import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { ExtractFailure, messageOf } from '../types.js';

/** A JSON object, as lockfiles and SBOMs are read before their shape is checked. */
export type JsonObject = Record<string, unknown>;

/** Parses JSON text, failing with a reason that names the file. */
export function parseJson(text: string, location: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ExtractFailure(`${location}: not valid JSON (${messageOf(error)}).`);
  }
}

/** Parses TOML, failing with a reason that names the file. */
export function parseTomlText(text: string, location: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new ExtractFailure(`${location}: not valid TOML (${messageOf(error).split('\n')[0]}).`);
  }
}

/** Parses YAML, failing with a reason that names the file. */
export function parseYamlText(text: string, location: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new ExtractFailure(`${location}: not valid YAML (${messageOf(error).split('\n')[0]}).`);
  }
}

/** Narrows an unknown value to a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `value`, or an empty one when it is anything else. */
export function objectOr(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

/** The string at `value`, or undefined. */
export function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A Python project name in PEP 503 normal form: lower case, runs of `-`, `_`, `.` as one `-`. */
export function normalisePypiName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** Splits text into lines, whatever the line endings. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
