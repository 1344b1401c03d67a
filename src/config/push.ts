import type { InputSource } from '../runtime/runtime.js';
import { readConnection, readRepository, type ConnectionSettings } from './connection.js';
import { readBoolean } from './report.js';
import { PushInput, StepDefaults, StepEnv } from './names.js';

/** Formats `push` uploads as; `auto` detects each file's. */
export const PUSH_FORMATS = ['auto', 'npm', 'python', 'raw'] as const;
/** One of {@link PUSH_FORMATS}. */
export type PushFormat = (typeof PUSH_FORMATS)[number];

/** The `push` step's settings, read and checked once from the inputs. */
export interface PushSettings {
  connection: ConnectionSettings;
  owner: string;
  repo: string;
  /** Glob patterns (newline-separated in the input); `!` excludes. */
  files: string[];
  format: PushFormat;
  /** Name and version of raw packages. */
  name?: string;
  version?: string;
  tags: string[];
  /** Replace a package of the same name and version. */
  republish: boolean;
  /** Files uploaded at once. */
  parallel: number;
}

/** Splits a tag list: commas or new lines, blanks dropped, duplicates once. */
export function parseTags(input: string, value: string): string[] {
  const tags = [
    ...new Set(
      value
        .split(/[,\n]/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  const bad = tags.find((t) => t.length > 255 || /\s/.test(t));
  if (bad !== undefined) {
    throw new Error(
      `Input ${input}: '${bad}' is not a tag; tags are separated by commas or new lines, have no spaces and are at most 255 characters.`,
    );
  }
  return tags;
}

/** A whole number from 1 to `max`; empty gives `fallback`. */
export function parseParallel(input: string, value: string, fallback: number, max: number): number {
  if (value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new Error(`Input ${input}: '${value}' is not accepted; use a whole number from 1 to ${max}.`);
  }
  return Number(value);
}

/** `format`: auto (or empty), npm, python or raw. */
export function parsePushFormat(input: string, value: string): PushFormat {
  const v = value.trim().toLowerCase() || 'auto';
  if ((PUSH_FORMATS as readonly string[]).includes(v)) return v as PushFormat;
  throw new Error(
    `Input ${input}: '${value}' is not a format; use auto (detect npm tarballs, wheels and sdists), npm, python or raw.`,
  );
}

/** The push step's inputs besides the connection (the pipeline gets that from its auth step). */
export type PushOptions = Omit<PushSettings, 'connection'>;

/**
 * Reads the `push` inputs except the connection; throws a message naming a bad input and its
 * accepted forms. `ownerFallback` stands in for an empty `owner` (the pipeline's `org`).
 */
export function readPushOptions(runtime: InputSource, ownerFallback = ''): PushOptions {
  const { owner, repo } = readRepository(
    runtime,
    { owner: PushInput.Owner, repo: PushInput.Repo },
    { owner: StepEnv.Owner, repo: StepEnv.Repo },
    ownerFallback,
  );
  const files = runtime.getMultilineInput(PushInput.Files);
  if (files.length === 0) {
    throw new Error(
      `Input ${PushInput.Files} is required: give one glob per line, e.g. dist/*.tgz (a leading ! excludes).`,
    );
  }
  const format = parsePushFormat(PushInput.Format, runtime.getInput(PushInput.Format));
  const name = runtime.getInput(PushInput.Name);
  const version = runtime.getInput(PushInput.Version);
  if (format === 'raw' && (!name || !version)) {
    throw new Error(
      `Input ${!name ? PushInput.Name : PushInput.Version} is required when ${PushInput.Format} is raw: raw packages take their name and version from the ${PushInput.Name} and ${PushInput.Version} inputs.`,
    );
  }
  return {
    owner,
    repo,
    files,
    format,
    ...(name ? { name } : {}),
    ...(version ? { version } : {}),
    tags: parseTags(PushInput.Tags, runtime.getInput(PushInput.Tags)),
    republish: readBoolean(runtime, PushInput.Republish, false),
    parallel: parseParallel(
      PushInput.Parallel,
      runtime.getInput(PushInput.Parallel),
      StepDefaults.Parallel,
      StepDefaults.MaxParallel,
    ),
  };
}

/** Reads every input of the `push` action. */
export function readPushSettings(runtime: InputSource): PushSettings {
  return { connection: readConnection(runtime), ...readPushOptions(runtime) };
}
