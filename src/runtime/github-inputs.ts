import { EOL } from 'node:os';
import { fdSink } from './fd-sink.js';
import { parseBooleanInput, type InputOptions, type InputSource } from './runtime.js';

/** Where workflow commands go: the process's stdout (see {@link fdSink}), which the runner reads. */
export interface CommandSink {
  write(chunk: string): unknown;
}

/**
 * A workflow command's data, escaped so the runner reads it back as one line (the runner
 * unescapes `%25`, `%0D` and `%0A`).
 */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * The inputs of a GitHub Actions step as the runner passes them (`INPUT_<NAME>` variables), read
 * the way @actions/core reads them, with the three workflow commands reading settings needs
 * (masking, warnings, failing the step). Entry files read their settings through this before
 * loading @actions/core, whose single entry point evaluates its HTTP client on import: a bad
 * input then fails the step without loading any of it. {@link GitHubRuntime} does the rest.
 */
export class GitHubInputs implements InputSource {
  readonly kind = 'github' as const;
  /** Every secret masked so far, so that the full runtime does not mask it again. */
  readonly masked = new Set<string>();

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly out: CommandSink = fdSink(1),
  ) {}

  /** {@inheritDoc Runtime.getInput} */
  getInput(name: string, options?: InputOptions): string {
    const value = this.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`);
    return options?.trimWhitespace === false ? value : value.trim();
  }

  /** {@inheritDoc Runtime.getBooleanInput} */
  getBooleanInput(name: string, options?: InputOptions): boolean {
    const value = this.getInput(name, options);
    return value === '' ? false : parseBooleanInput(name, value);
  }

  /** {@inheritDoc Runtime.getMultilineInput} */
  getMultilineInput(name: string, options?: InputOptions): string[] {
    // As @actions/core does it: empty lines are dropped before trimming, so a line of blanks stays.
    const lines = this.getInput(name, options)
      .split('\n')
      .filter((line) => line !== '');
    return options?.trimWhitespace === false ? lines : lines.map((line) => line.trim());
  }

  /** {@inheritDoc Runtime.getEnv} */
  getEnv(name: string): string | undefined {
    return this.env[name];
  }

  /** {@inheritDoc Runtime.setSecret} */
  setSecret(secret: string): void {
    if (!secret || this.masked.has(secret)) return;
    this.masked.add(secret);
    this.command('add-mask', secret);
  }

  /** {@inheritDoc Runtime.warning} */
  warning(message: string): void {
    this.command('warning', message);
  }

  /** Fails the step: an error annotation with `message`, and exit code 1 when the process ends. */
  fail(message: string): void {
    process.exitCode = 1;
    this.command('error', message);
  }

  private command(name: string, data: string): void {
    this.out.write(`::${name}::${escapeCommandData(data)}${EOL}`);
  }
}
