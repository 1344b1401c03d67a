import { parseArgs } from 'node:util';
import { buildApp, type BuiltApp } from '../app.js';
import type { ServerConfig } from '../config.js';
import { settleWithin, stopTasks } from '../domain/background.js';
import { hasAnyAdvisory } from '../scan/advisories/feeds.js';
import { messageOf, type Io } from './io.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';
import { settingsHelp } from './settings.js';

/** How long a signalled shutdown may take before the service stops waiting and drops connections. */
export const SHUTDOWN_DEADLINE_MS = 10_000;
/** How long background tasks get to stop (in-flight work is aborted and put back). */
export const TASK_STOP_MS = 5_000;

/** `serve` runs a scheduled advisory sync every 6 hours unless told otherwise. */
export const SERVE_DEFAULTS = { 'advisories.syncIntervalSeconds': '6h' };

/** The `serve --help` text: every setting, with its flag, environment variable, config key and default. */
export function serveHelp(): string {
  return `Usage: airlock-server serve [--config FILE] [settings]

Serves the repository API. Each setting below can be given as a flag, an environment variable
or a key of the YAML config file; a flag wins over the environment, the environment over the
file, the file over the default. Boolean flags also take a --no- form.

${settingsHelp()}`;
}

/**
 * Drains the service on a signal: stops background work (in-flight jobs are aborted and put back
 * in the queue), stops accepting connections, lets in-flight requests (uploads) finish, and past
 * `deadlineMs` drops what is still open. Resolves when done.
 */
export async function drain(
  built: BuiltApp,
  io: Io,
  deadlineMs = SHUTDOWN_DEADLINE_MS,
  taskStopMs = TASK_STOP_MS,
): Promise<void> {
  const { app, tasks } = built;
  // New connections are refused at once; requests already in flight (uploads) go on. Fastify's
  // own close, later, finds the server closed and carries on.
  app.server.close(() => undefined);
  const closing = stopTasks(tasks, taskStopMs).then(async (left) => {
    if (left.length > 0) app.log.warn({ tasks: left }, 'background tasks still busy at shutdown');
    await app.close();
  });
  closing.catch((err: unknown) => io.err(`Shutdown failed: ${messageOf(err)}\n`));
  const done = await settleWithin([closing], deadlineMs);
  if (!done) {
    io.err(`Shutdown took over ${deadlineMs / 1000} s; dropping open connections.\n`);
    app.server.closeAllConnections();
  }
}

/**
 * Builds and starts the service, warns when no advisory is loaded, and runs until SIGTERM or
 * SIGINT, then drains. `onReady` hears the URL once the service listens.
 */
export async function serveUntilSignalled(
  config: ServerConfig,
  io: Io,
  onReady?: (url: string, state: { advisoriesHeld: boolean }) => void,
): Promise<number> {
  // Handled from the start: a signal that arrives while the service starts, or right after it
  // announced itself (whoever read the announcement may signal before another statement runs
  // here), is answered by the drain rather than by the default action, which kills at once.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const built = await buildApp(config);
  const { app, ctx } = built;
  const advisoriesHeld = await hasAnyAdvisory(ctx);
  if (!advisoriesHeld) {
    // Without advisories every scan passes: say so loudly rather than report "0 vulnerabilities".
    app.log.warn(
      { sync_interval_seconds: config.advisories.syncIntervalSeconds },
      config.advisories.syncIntervalSeconds > 0
        ? 'the advisory database is empty: scans find nothing until the first advisory sync completes'
        : 'the advisory database is empty and scheduled sync is off: run `airlock-server advisories sync` or `advisories import`',
    );
  }
  await app.listen({ host: config.host, port: config.port });
  onReady?.(ctx.baseUrl, { advisoriesHeld });
  const signal = await signalled;
  app.log.info({ signal }, 'shutting down');
  await drain(built, io);
  await flushLog(app.log);
  return 0;
}

/** How long the log may take to reach its destination before the service exits anyway. */
const LOG_FLUSH_MS = 2_000;

/**
 * Waits for log lines still being written: the logger writes asynchronously, and a line whose
 * write was still queued when the process exited (on a busy machine, behind the disk syncs of
 * the shutdown) was lost, the "shutting down" line among them.
 */
async function flushLog(log: unknown): Promise<void> {
  const flush = (log as { flush?: (done: (err?: Error) => void) => void }).flush;
  if (typeof flush !== 'function') return;
  await settleWithin([new Promise<void>((resolve) => flush.call(log, () => resolve()))], LOG_FLUSH_MS);
}

/** `airlock-server serve [--config FILE] [settings]`. */
export async function runServe(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...settingOptions(), help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    io.out(serveHelp() + '\n');
    return 0;
  }
  return serveUntilSignalled(resolveServerConfig(values, io.env, { defaults: SERVE_DEFAULTS }), io);
}
