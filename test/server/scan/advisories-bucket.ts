import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import yazl from 'yazl';

/** A small OSV document for one npm package: versions from `introduced` up to `fixed` are affected. */
export function osvDoc(
  id: string,
  name: string,
  fixed: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    schema_version: '1.4.0',
    id,
    modified: '2024-01-01T00:00:00Z',
    summary: `${name} before ${fixed} is vulnerable`,
    affected: [
      {
        package: { ecosystem: 'npm', name },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
      },
    ],
    database_specific: { severity: 'HIGH' },
    ...extra,
  };
}

/** A zip laid out as OSV's `all.zip`: one `<id>.json` per document. */
export async function osvZip(docs: Record<string, unknown>[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const doc of docs) {
    zip.addBuffer(Buffer.from(JSON.stringify(doc)), `${String(doc.id)}.json`, { mtime: new Date(0) });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** What the stand-in bucket does with the next request for a path. */
export type Fault =
  | { kind: 'status'; status: number }
  /** Never answers (until the bucket closes). */
  | { kind: 'stall' }
  /** Announces the whole body, sends half of it and closes the connection. */
  | { kind: 'cut' };

/** A loopback HTTP server standing in for OSV's bucket: `{url}/{ecosystem}/all.zip`. */
export interface OsvBucket {
  url: string;
  /** Archives by path (`/npm/all.zip`); the ETag is the body's sha256. */
  files: Map<string, Buffer>;
  /** Faults served, once each, before the file. */
  faults: Map<string, Fault[]>;
  requests: { path: string; ifNoneMatch: string | undefined }[];
  close(): Promise<void>;
}

/** Starts the stand-in bucket on 127.0.0.1. */
export async function startOsvBucket(): Promise<OsvBucket> {
  const files = new Map<string, Buffer>();
  const faults = new Map<string, Fault[]>();
  const requests: OsvBucket['requests'] = [];
  const server = http.createServer((req, res) => {
    const p = req.url ?? '/';
    const ifNoneMatch = req.headers['if-none-match'];
    requests.push({ path: p, ifNoneMatch });
    const fault = faults.get(p)?.shift();
    if (fault?.kind === 'stall') return;
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' }).end('stand-in failure');
      return;
    }
    const body = files.get(p);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const etag = `"${crypto.createHash('sha256').update(body).digest('hex')}"`;
    if (ifNoneMatch === etag) {
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    res.writeHead(200, { ETag: etag, 'Content-Type': 'application/zip', 'Content-Length': body.length });
    if (fault?.kind === 'cut') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
