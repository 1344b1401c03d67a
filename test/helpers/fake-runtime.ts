import {
  IdTokenUnavailableError,
  parseBooleanInput,
  splitLines,
  type InputOptions,
  type Runtime,
} from '../../src/runtime/runtime.js';

/** Something a step did to its runtime, in order. */
export type RuntimeEvent =
  | { kind: 'secret'; value: string }
  | { kind: 'output'; name: string; value: string }
  | { kind: 'export'; name: string; value: string }
  | { kind: 'log'; level: 'info' | 'warning' | 'error' | 'debug'; message: string }
  | { kind: 'summary'; markdown: string }
  | { kind: 'id-token'; audience?: string };

/** What a fake runtime starts with. */
export interface FakeRuntimeInit {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** Answers getIdToken; default: no ID token available. */
  idToken?: (audience?: string) => Promise<string>;
}

/**
 * A runtime that records everything a step does (so tests can check order: secrets masked
 * before any output) and whose ID token comes from a function the test provides.
 */
export class FakeRuntime implements Runtime {
  readonly kind = 'github' as const;
  readonly events: RuntimeEvent[] = [];
  readonly inputs: Record<string, string>;
  readonly env: Record<string, string>;
  readonly state = new Map<string, string>();
  private readonly idToken?: (audience?: string) => Promise<string>;

  constructor(init: FakeRuntimeInit = {}) {
    this.inputs = { ...init.inputs };
    this.env = { ...init.env };
    this.idToken = init.idToken;
  }

  /** Outputs set, by name (last value wins). */
  get outputs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.events) if (e.kind === 'output') out[e.name] = e.value;
    return out;
  }

  /** Secrets masked so far. */
  get secrets(): string[] {
    return this.events.flatMap((e) => (e.kind === 'secret' ? [e.value] : []));
  }

  /** Every log line, prefixed with its level. */
  get log(): string[] {
    return this.events.flatMap((e) => (e.kind === 'log' ? [`${e.level}: ${e.message}`] : []));
  }

  getInput(name: string, options: InputOptions = {}): string {
    const value = (this.inputs[name] ?? '').trim();
    if (options.required && !value) throw new Error(`Input required and not supplied: ${name}`);
    return value;
  }
  getBooleanInput(name: string, options?: InputOptions): boolean {
    const value = this.getInput(name, options);
    return value === '' ? false : parseBooleanInput(name, value);
  }
  getMultilineInput(name: string, options?: InputOptions): string[] {
    return splitLines(this.getInput(name, options));
  }
  getEnv(name: string): string | undefined {
    return this.env[name];
  }
  setOutput(name: string, value: string): void {
    this.events.push({ kind: 'output', name, value });
  }
  exportVariable(name: string, value: string): void {
    this.env[name] = value;
    this.events.push({ kind: 'export', name, value });
  }
  setSecret(value: string): void {
    this.events.push({ kind: 'secret', value });
  }
  info(message: string): void {
    this.events.push({ kind: 'log', level: 'info', message });
  }
  warning(message: string): void {
    this.events.push({ kind: 'log', level: 'warning', message });
  }
  error(message: string): void {
    this.events.push({ kind: 'log', level: 'error', message });
  }
  debug(message: string): void {
    this.events.push({ kind: 'log', level: 'debug', message });
  }
  async group<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async summary(markdown: string): Promise<void> {
    this.events.push({ kind: 'summary', markdown });
  }
  async getIdToken(audience?: string): Promise<string> {
    this.events.push({ kind: 'id-token', audience });
    if (!this.idToken) throw new IdTokenUnavailableError('No OIDC ID token here.');
    return this.idToken(audience);
  }
  saveState(name: string, value: string): void {
    this.state.set(name, value);
  }
  getState(name: string): string {
    return this.state.get(name) ?? '';
  }
  isDebug(): boolean {
    return false;
  }
}
