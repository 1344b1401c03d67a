import { parseArgs } from 'node:util';
import type { Io, ServerCommand } from './io.js';
import { startDevIssuer } from '../oidc/dev-issuer.js';

/** `dev-issuer --help`. */
export const DEV_ISSUER_HELP = `Usage: airlock-server dev-issuer [--port P] [--host H]

Runs a local OIDC issuer for development and tests: discovery, a JWKS, and an endpoint that
hands out ID tokens the way GitHub Actions does. It prints one JSON line with the issuer URL and
the ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN pair to export, then serves
until SIGTERM or SIGINT. Trust it with a provider whose provider_url is the printed issuer (the
service needs --allow-loopback-issuers for a loopback issuer). Never use it in production.
  --port P   the port to listen on (default: any free port)
  --host H   the address to listen on (default 127.0.0.1)`;

/**
 * Runs the development issuer until `stop` settles: prints one JSON line with the issuer URL and
 * the `ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN` pair, then serves. Returns the exit code.
 */
export async function serveDevIssuer(args: string[], io: Io, stop: Promise<unknown>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    io.out(DEV_ISSUER_HELP + '\n');
    return 0;
  }
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
