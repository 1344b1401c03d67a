import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { ServiceError } from '../domain/errors.js';

/**
 * The request body as a stream that fails when the client goes away mid-body (a plain pipe would
 * wait forever), and `release()` to drain whatever the handler left unread, so an error
 * response still reaches a client that is sending.
 */
export function takeBody(req: IncomingMessage): { body: Readable; release(): void } {
  // A small buffer: each chunk held here outlives more young-generation collections, and chunks
  // that survive two move to the old generation, where only a full collection frees them.
  const body = new PassThrough({ highWaterMark: 16 * 1024 });
  const onGone = (): void => {
    if (!req.complete) {
      body.destroy(
        new ServiceError(
          'validation_failed',
          'The client closed the connection before the body was complete.',
        ),
      );
    }
  };
  req.on('close', onGone);
  req.on('error', onGone);
  req.pipe(body);
  return {
    body,
    release() {
      req.off('close', onGone);
      req.unpipe(body);
      if (!req.complete) req.resume();
    },
  };
}

/** The Content-Length the client declared, when it is a plain number. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Handles the failure of one file part of a multipart form. busboy reports a form cut short on
 * the part's stream as well as on the form; an 'error' event that nobody listens to ends the
 * process, and a part the route skips (or stopped reading) has no other listener. The form's own
 * 'error' listener turns the same failure into the response.
 */
export function settleFormPart(part: Readable): void {
  part.on('error', () => undefined);
}
