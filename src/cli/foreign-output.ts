/** Where translated lines go: the CLI runtime (which redacts secrets and never prints `::`). */
export interface ForeignOutputTarget {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  setSecret(secret: string): void;
}

type WriteCallback = (err?: Error | null) => void;

/** `%25`, `%0D`, `%0A`, `%3A`, `%2C` back to what @actions/core escaped. */
function unescapeCommand(text: string): string {
  return text
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%');
}

const COMMAND = /^::([a-zA-Z-]+)(?: [^:]*)?::(.*)$/;

/**
 * Stands in for `process.stdout.write` while the CLI runs, for what libraries print there:
 * @actions/* packages the steps use (@actions/glob, …) report through @actions/core, which
 * prints GitHub workflow commands (`::debug::…`). The CLI's stdout carries only its own result
 * and no `::` line may reach a terminal or a Jenkins log, so each line is translated into the
 * runtime's log instead — `::debug::` as a debug line, `::warning::` as a warning,
 * `::add-mask::` as a secret to redact — and any other text goes to the runtime's log.
 * Until a runtime is attached, lines go to `fallback` with a leading `::` defused.
 */
export class ForeignOutput {
  private target?: ForeignOutputTarget;
  private pending = '';

  /**
   * @param fallback where lines go until a runtime is attached
   * @param onAttach called once, when the first runtime is attached: where the CLI takes over
   *   `process.stdout.write`, which no library can use before a command runs
   */
  constructor(
    private readonly fallback: { write(chunk: string): unknown },
    private onAttach?: () => void,
  ) {}

  /** From now on, translate into this runtime's log. */
  attach(target: ForeignOutputTarget): void {
    const onAttach = this.onAttach;
    this.onAttach = undefined;
    onAttach?.();
    this.target = target;
  }

  /** A drop-in for a stream's `write`: whole lines are handled, a partial one waits for its end. */
  readonly write = (
    chunk: string | Uint8Array,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean => {
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8';
    this.pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(encoding);
    const lines = this.pending.split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.handle(line);
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (done) process.nextTick(done);
    return true;
  };

  /** Handles a last line written without its newline. */
  flush(): void {
    if (this.pending) this.handle(this.pending);
    this.pending = '';
  }

  private handle(line: string): void {
    const command = COMMAND.exec(line);
    const target = this.target;
    if (!target) {
      if (command?.[1] === 'add-mask') return;
      this.fallback.write(`${line.replace(/^(\s*):(?=:)/, '$1: ')}\n`);
      return;
    }
    if (!command) {
      target.info(line);
      return;
    }
    const text = unescapeCommand(command[2]!);
    switch (command[1]) {
      case 'add-mask':
        target.setSecret(text);
        break;
      case 'warning':
      case 'notice':
        target.warning(text);
        break;
      case 'error':
        target.error(text);
        break;
      case 'group':
        target.info(`── ${text}`);
        break;
      case 'debug':
        target.debug(text);
        break;
      default:
        target.debug(text ? `${command[1]}: ${text}` : command[1]!);
    }
  }
}
