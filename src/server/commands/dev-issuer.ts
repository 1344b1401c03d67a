import { parseArgs } from 'node:util';
import type { Io, ServerCommand } from './io.js';
import { startDevIssuer } from '../oidc/dev-issuer.js';

/**
 * Runs the development issuer until `stop` settles: prints one JSON line with the issuer URL and
 * the `ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN` pair, then serves. Returns the exit code.
 */
export async function serveDevIssuer(args: string[], io: Io, stop: Promise<unknown>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(
      `airlock-server dev-issuer: --port must be a whole number from 0 to 65535, got '${values.port}'.\n`,
    );
    return 2;
  }
  const issuer = await startDevIssuer({ port, ...(values.host ? { host: values.host } : {}) });
  io.out(
    JSON.stringify({
      issuer: issuer.issuer,
      ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsTokenUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsToken,
    }) + '\n',
  );
  await stop;
  await issuer.close();
  return 0;
}

/** `airlock-server dev-issuer [--port P] [--host H]`: the local OIDC issuer, until SIGTERM or SIGINT. */
export const devIssuerCommand: ServerCommand = {
  name: 'dev-issuer',
  summary: '[--port P] run a local OIDC issuer (discovery, JWKS, Actions ID-token endpoint) for development',
  run(args, io) {
    const stop = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    return serveDevIssuer(args, io, stop);
  },
};
