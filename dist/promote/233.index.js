"use strict";
exports.id = 233;
exports.ids = [233];
exports.modules = {

/***/ 6468:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cu: () => (/* binding */ describeSendFailure),
/* harmony export */   LW: () => (/* binding */ classifyNetworkError),
/* harmony export */   Nk: () => (/* binding */ readErrorBody),
/* harmony export */   gJ: () => (/* binding */ errorMessage),
/* harmony export */   hD: () => (/* binding */ ApiError)
/* harmony export */ });
/* unused harmony export errorCode */
/**
 * A request the repository answered with a non-2xx status. Callers branch on `status` and `code`
 * (a 404 that means "not there yet", a 409 duplicate); the message names the call and the
 * server's own words, e.g. `POST /files/acme/dev/: 422 checksum_mismatch — sha256 differs`.
 */
class ApiError extends Error {
    method;
    path;
    status;
    detail;
    fields;
    code;
    attempts;
    retryAfterMs;
    constructor(init) {
        super(formatApiError(init));
        this.name = 'ApiError';
        this.method = init.method;
        this.path = init.path;
        this.status = init.status;
        this.detail = init.detail;
        this.fields = init.fields;
        this.code = init.code;
        this.attempts = init.attempts ?? 1;
        this.retryAfterMs = init.retryAfterMs;
    }
}
function formatApiError(init) {
    const label = init.code ? `${init.status} ${init.code}` : String(init.status);
    let text = `${init.method} ${init.path}: ${label} — ${init.detail}`;
    const fields = Object.entries(init.fields ?? {}).filter(([name]) => !init.detail.includes(name));
    if (fields.length > 0) {
        text += ` (${fields.map(([name, msgs]) => `${name}: ${msgs.join(' ')}`).join('; ')})`;
    }
    if ((init.attempts ?? 1) > 1)
        text += ` [after ${init.attempts} attempts]`;
    return text;
}
/**
 * Reads an error body: the service's `{detail, fields, code}`, the `error` key some servers use,
 * or the start of a non-JSON body.
 */
function readErrorBody(text, statusText) {
    let parsed;
    try {
        parsed = text ? JSON.parse(text) : undefined;
    }
    catch {
        parsed = undefined;
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const body = parsed;
        const detail = typeof body.detail === 'string' ? body.detail : typeof body.error === 'string' ? body.error : undefined;
        const fields = isFieldMessages(body.fields) ? body.fields : undefined;
        const code = typeof body.code === 'string' ? body.code : undefined;
        if (detail !== undefined || fields !== undefined) {
            return { detail: detail ?? statusText, fields, code };
        }
    }
    const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 200);
    return { detail: snippet || statusText || 'no detail given' };
}
function isFieldMessages(value) {
    if (!value || typeof value !== 'object' || Array.isArray(value))
        return false;
    return Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'));
}
/** Socket-level failures that say the server never saw the request. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Socket-level failures where the request may or may not have been processed. */
const MAYBE_SENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/**
 * Classifies an error thrown while sending a request: `not-sent` (connection refused: safe to
 * retry any request), `maybe-sent` (reset, timeout: retry only idempotent requests), or null
 * (not a transient network failure).
 */
function classifyNetworkError(error) {
    const code = errorCode(error);
    if (code && NOT_SENT_CODES.has(code))
        return 'not-sent';
    if (code && MAYBE_SENT_CODES.has(code))
        return 'maybe-sent';
    const message = errorMessage(error);
    // @actions/http-client reports its socket timeout as a plain Error with this message.
    if (/^Request timeout/.test(message) || /socket hang up/.test(message))
        return 'maybe-sent';
    return null;
}
/**
 * The message of anything thrown. Checked by shape rather than `instanceof Error`: errors raised
 * by Node's own modules come from another realm when code runs inside a VM context (tests).
 */
function errorMessage(error) {
    if (typeof error === 'object' &&
        error !== null &&
        'message' in error &&
        typeof error.message === 'string') {
        return error.message;
    }
    return String(error);
}
/** The `code` of a system error (`ECONNRESET`), if it has one. */
function errorCode(error) {
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
        return error.code;
    }
    return undefined;
}
/** OpenSSL's words for a TLS handshake answered by something that is not TLS (a plain-HTTP server). */
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|http request/i;
/**
 * One line saying why a request to `url` could not be sent, for a person: a TLS handshake a
 * plain-HTTP server answered names the URL and the likely cause instead of OpenSSL's dump;
 * any other failure keeps its message, folded onto one line without OpenSSL's error-stack codes.
 */
function describeSendFailure(error, url) {
    const target = new URL(url);
    const origin = `${target.protocol}//${target.host}`;
    const message = errorMessage(error);
    if (target.protocol === 'https:' &&
        (errorCode(error) === 'EPROTO' || /^ERR_SSL_/.test(errorCode(error) ?? '')) &&
        NOT_TLS.test(message)) {
        return `${origin} did not answer the TLS handshake: it is most likely a plain-HTTP server, so use http://${target.host} (or the port where it serves HTTPS).`;
    }
    return message
        .replace(/\s*[0-9A-F]{8,}:error:[0-9A-F]{8}:[^:]*:[^:]*:([^:]*):\S*/g, ' $1')
        .replace(/\s+/g, ' ')
        .trim();
}


/***/ }),

/***/ 1233:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runGateAction: () => (/* binding */ runGateAction),
  runPipelineAction: () => (/* binding */ runPipelineAction),
  runPromoteAction: () => (/* binding */ runPromoteAction),
  runPushAction: () => (/* binding */ runPushAction)
});

// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 1 modules
var lib = __webpack_require__(4942);
// EXTERNAL MODULE: ./src/client/errors.ts
var errors = __webpack_require__(6468);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
var external_node_https_default = /*#__PURE__*/__webpack_require__.n(external_node_https_);
;// CONCATENATED MODULE: ./src/client/file-body.ts



/**
 * Bytes read from the file per write. Two buffers of this size are reused for a whole request,
 * one filling while the socket takes the other: a fresh buffer per chunk (what a read stream
 * piped into a request allocates) costs the sender several times curl's CPU per GiB.
 */
const FILE_CHUNK_BYTES = 1024 * 1024;
/**
 * Sends `body` as the request's body and resolves with the response, which may come before the
 * whole body was sent (the server refused it early): sending stops then. The file is read into
 * two buffers that are reused once the connection has taken them, so memory stays at two chunks
 * whatever the file's size. Rejects with the socket's error, a timeout (`Request timeout: …`), or
 * an error saying the file changed, after which the request is abandoned rather than ended short.
 */
async function sendFileRequest(request, body) {
    const handle = await external_node_fs_default().promises.open(body.file, 'r');
    try {
        const { size } = await handle.stat();
        if (size !== body.fileSize) {
            throw new Error(`${body.file} changed after it was hashed: it has ${size} bytes, not ${body.fileSize}; nothing was sent.`);
        }
    }
    catch (err) {
        await handle.close();
        throw err;
    }
    const url = new URL(request.url);
    return new Promise((resolve, reject) => {
        const req = (url.protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default())).request(url, {
            method: request.method,
            headers: request.headers,
            agent: request.agent,
        });
        let stopped = false;
        const closed = new Promise((done) => req.once('close', () => done(false)));
        req.once('response', (res) => {
            stopped = true;
            // An answer before the whole body was sent: once it has been read, the connection is of no
            // further use (it carries half a request), so it is closed rather than left to time out.
            res.once('close', () => {
                if (!req.writableEnded)
                    req.destroy();
            });
            resolve(res);
        });
        req.on('error', (err) => {
            stopped = true;
            reject(err);
        });
        req.setTimeout(request.timeoutMs, () => req.destroy(new Error(`Request timeout: ${url.pathname}`)));
        void writeBody(req, handle, body, () => stopped, closed)
            .then((complete) => {
            if (complete)
                req.end();
        }, (err) => req.destroy(err instanceof Error ? err : new Error(String(err))))
            // The request has settled either way; a failure to close a read-only file changes nothing.
            .finally(() => handle.close().catch(() => undefined));
    });
}
/**
 * Writes the body's range of the file into the request. Resolves true when every byte was handed
 * to the connection, false when it stopped first (an answer came, or the request closed).
 */
async function writeBody(req, handle, body, isStopped, closed) {
    const start = body.start ?? 0;
    const end = start + body.length;
    const chunk = Math.max(1, Math.min(FILE_CHUNK_BYTES, body.length));
    const buffers = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
    // Whether each buffer's last write went out: a buffer is refilled only once the socket took it.
    const taken = [Promise.resolve(true), Promise.resolve(true)];
    let sent = 0;
    for (let at = start, i = 0; at < end; i ^= 1) {
        if (!(await Promise.race([taken[i], closed])) || isStopped())
            return false;
        const buffer = buffers[i];
        const want = Math.min(chunk, end - at);
        const got = readFully(handle.fd, buffer, want, at);
        if (got < want) {
            throw new Error(`${body.file} changed while it was being sent: it ended at byte ${at + got}, not ${body.fileSize}; the upload was abandoned.`);
        }
        at += got;
        if (at === end) {
            // Before the last chunk goes: a file that grew (or was cut and refilled) is refused too.
            const { size } = await handle.stat();
            if (size !== body.fileSize) {
                throw new Error(`${body.file} changed while it was being sent: it has ${size} bytes now, not ${body.fileSize}; the upload was abandoned.`);
            }
        }
        if (isStopped())
            return false;
        taken[i] = new Promise((done) => req.write(buffer.subarray(0, got), (err) => {
            if (!err) {
                sent += got;
                body.onSent?.(sent);
            }
            done(!err);
        }));
    }
    // Every byte handed over: the request is ended even if the answer came meanwhile.
    const results = await Promise.race([Promise.all(taken), closed]);
    return results !== false && results.every(Boolean);
}
/**
 * Reads `length` bytes at `position` into `buffer`, fewer only at the end of the file. The read
 * is synchronous on purpose: the socket still holds the other buffer meanwhile, so nothing waits
 * on it, and a read handed to the thread pool instead cost the sender a third more CPU per GiB
 * (0.55 s against 0.40 s, with curl at 0.35 s, measured on loopback).
 */
function readFully(fd, buffer, length, position) {
    let got = 0;
    while (got < length) {
        const bytesRead = external_node_fs_default().readSync(fd, buffer, got, length - got, position + got);
        if (bytesRead === 0)
            break;
        got += bytesRead;
    }
    return got;
}

;// CONCATENATED MODULE: ./src/client/retry.ts
/** Timing defaults used when a caller leaves them out. */
const DEFAULT_TIMING = {
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 60_000,
};
/** Waits `ms` milliseconds on a real timer. */
function realSleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
/**
 * The wait before retry number `retry` (1-based): exponential backoff with full jitter, i.e. a
 * uniform draw in [0, min(max, base·2^(retry-1))). Full jitter spreads clients that failed
 * together so they do not come back together.
 */
function backoffDelay(retry, timing = {}) {
    const base = timing.baseDelayMs ?? DEFAULT_TIMING.baseDelayMs;
    const max = timing.maxDelayMs ?? DEFAULT_TIMING.maxDelayMs;
    const ceiling = Math.min(max, base * 2 ** Math.max(0, retry - 1));
    return Math.floor((timing.random ?? Math.random)() * ceiling);
}
/**
 * Reads a `Retry-After` header: delay seconds or an HTTP date. Returns milliseconds, capped at
 * `capMs`, or undefined when the header is absent or unreadable.
 */
function parseRetryAfter(value, now, capMs = DEFAULT_TIMING.maxRetryAfterMs) {
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined || text.trim() === '')
        return undefined;
    let ms;
    if (/^\s*\d+(\.\d+)?\s*$/.test(text))
        ms = Number(text) * 1000;
    else {
        const at = Date.parse(text);
        if (Number.isNaN(at))
            return undefined;
        ms = at - now;
    }
    return Math.min(capMs, Math.max(0, Math.round(ms)));
}
/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, the retries run out or the deadline
 * passes; then rethrows the last error. A server-chosen delay (Retry-After) replaces the backoff.
 */
async function retry(fn, options) {
    const sleep = options.sleep ?? realSleep;
    const now = options.now ?? Date.now;
    for (let attempt = 0;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            if (attempt >= options.retries)
                throw error;
            const decision = options.shouldRetry(error, attempt);
            if (decision === false)
                throw error;
            const delayMs = decision.retryAfterMs ?? backoffDelay(attempt + 1, options);
            if (options.deadline !== undefined && now() + delayMs >= options.deadline)
                throw error;
            options.onRetry?.({ retry: attempt + 1, retries: options.retries, delayMs, error });
            await sleep(delayMs);
        }
    }
}

;// CONCATENATED MODULE: ./src/client/http.ts




const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** The default retryable statuses: request timeout, throttling, and server-side failures. */
function isRetryableStatus(status) {
    return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}
/**
 * JSON and streaming requests to the repository over @actions/http-client (which honours the
 * runner's proxy settings), with bounded, targeted retries and careful redirects: an HTTPS→HTTP
 * redirect is refused, and credentials go only to the API's own origin, so a redirect or an
 * upload URL on another host never sees them.
 */
class Transport {
    options;
    baseUrl;
    origin;
    clients = new Map();
    constructor(options) {
        this.options = options;
        const base = new URL(options.baseUrl);
        if (base.protocol !== 'https:' && base.protocol !== 'http:') {
            throw new Error(`Invalid API URL '${options.baseUrl}': expected an http(s) URL.`);
        }
        this.baseUrl = options.baseUrl.replace(/\/+$/, '');
        this.origin = base.origin;
    }
    /** One HttpClient per socket timeout; redirects and retries are handled here, not there. */
    httpClient(timeoutMs) {
        let client = this.clients.get(timeoutMs);
        if (!client) {
            client = new lib/* HttpClient */.Qq(this.options.userAgent ?? 'airlock', [], {
                allowRedirects: false,
                allowRetries: false,
                socketTimeout: timeoutMs,
            });
            this.clients.set(timeoutMs, client);
        }
        return client;
    }
    /** Sends a call, retrying as its options allow; resolves with a 2xx reply or throws ApiError. */
    async call(call) {
        const url = this.resolve(call.path, call.query);
        const path = new URL(url).pathname;
        const idempotent = call.idempotent ?? !['POST', 'PATCH'].includes(call.method);
        const retryStatus = call.retryStatus ?? isRetryableStatus;
        const now = this.options.now ?? Date.now;
        const timing = this.options.timing ?? {};
        let attempts = 0;
        try {
            return await retry(async () => {
                attempts++;
                return this.attempt(call, url, path, attempts);
            }, {
                ...timing,
                retries: call.retries ?? this.options.retries ?? 3,
                shouldRetry: (error) => {
                    if (error instanceof errors/* ApiError */.hD) {
                        if (!retryStatus(error.status))
                            return false;
                        if (!idempotent && error.status !== 429)
                            return false;
                        return { retryAfterMs: error.retryAfterMs };
                    }
                    const failure = (0,errors/* classifyNetworkError */.LW)(error);
                    if (failure === 'not-sent' || (failure === 'maybe-sent' && idempotent))
                        return {};
                    return false;
                },
                onRetry: (notice) => this.options.onRetry?.({ ...notice, method: call.method, path }),
                now,
            });
        }
        catch (error) {
            if (error instanceof errors/* ApiError */.hD)
                throw error;
            const reason = (0,errors/* describeSendFailure */.Cu)(error, url);
            const after = attempts > 1 ? ` [after ${attempts} attempts]` : '';
            throw new Error(`${call.method} ${path}: ${reason}${after}`, { cause: error });
        }
    }
    resolve(path, query) {
        const url = new URL(/^https?:\/\//i.test(path) ? path : this.baseUrl + (path.startsWith('/') ? path : `/${path}`));
        for (const [k, v] of Object.entries(query ?? {}))
            if (v !== undefined)
                url.searchParams.set(k, String(v));
        return url.toString();
    }
    async attempt(call, firstUrl, path, attempt) {
        let method = call.method;
        let url = firstUrl;
        let withBody = true;
        for (let hop = 0;; hop++) {
            const res = await this.send(method, url, call, withBody);
            const status = res.message.statusCode ?? 0;
            const location = res.message.headers.location;
            if (REDIRECTS.has(status) && location) {
                await res.readBody();
                if (hop >= MAX_REDIRECTS)
                    throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
                ({ url, method, withBody } = followRedirect({ url, method, withBody }, status, location));
                continue;
            }
            const text = await res.readBody();
            if (status >= 200 && status < 300) {
                return { status, headers: res.message.headers, data: parseJson(text) };
            }
            throw new errors/* ApiError */.hD({
                method: call.method,
                path,
                status,
                ...(0,errors/* readErrorBody */.Nk)(text, res.message.statusMessage ?? ''),
                attempts: attempt,
                retryAfterMs: parseRetryAfter(res.message.headers['retry-after'], (this.options.now ?? Date.now)(), this.options.timing?.maxRetryAfterMs ?? DEFAULT_TIMING.maxRetryAfterMs),
            });
        }
    }
    async send(method, url, call, withBody) {
        const headers = { accept: 'application/json', ...lower(call.headers) };
        if (new URL(url).origin === this.origin)
            Object.assign(headers, await this.credentialHeaders());
        const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 60_000;
        const client = this.httpClient(timeoutMs);
        if (withBody && call.body) {
            headers['content-length'] = call.body.length;
            headers['content-type'] ??= call.body.contentType ?? 'application/octet-stream';
            if (client.userAgent)
                headers['user-agent'] = client.userAgent;
            // Sent here rather than piped through HttpClient, which takes a stream: see file-body.ts.
            // The agent is still HttpClient's, so the runner's proxy settings apply alike.
            const message = await sendFileRequest({ method, url, headers, agent: client.getAgent(url), timeoutMs }, call.body);
            return new lib/* HttpClientResponse */.bd(message);
        }
        let data = null;
        if (withBody && call.json !== undefined) {
            data = JSON.stringify(call.json);
            headers['content-type'] = 'application/json';
        }
        else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
            data = '';
        }
        return client.request(method, url, data, headers);
    }
    async credentialHeaders() {
        const token = this.options.getToken ? await this.options.getToken() : this.options.apiKey;
        if (!token)
            return {};
        return this.options.authScheme === 'bearer'
            ? { authorization: `Bearer ${token}` }
            : { 'x-api-key': token };
    }
}
/**
 * The next hop of a redirect. Throws on HTTPS→HTTP. 303, and 301/302 after a POST, become a GET
 * without a body, as browsers do; 307 and 308 repeat the request as it was. Credentials are not
 * decided here: {@link Transport} sends them only to the API's own origin.
 */
function followRedirect(from, status, location) {
    const next = new URL(location, from.url);
    if (new URL(from.url).protocol === 'https:' && next.protocol !== 'https:') {
        throw new Error(`refused a redirect from HTTPS to ${next.protocol.replace(':', '').toUpperCase()} (${next.origin})`);
    }
    if (status === 303 || ((status === 301 || status === 302) && from.method === 'POST')) {
        return { url: next.toString(), method: 'GET', withBody: false };
    }
    return { url: next.toString(), method: from.method, withBody: from.withBody };
}
function lower(headers) {
    const out = {};
    for (const [k, v] of Object.entries(headers ?? {}))
        out[k.toLowerCase()] = v;
    return out;
}
function parseJson(text) {
    if (text.trim() === '')
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch {
        return text;
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
var external_node_crypto_default = /*#__PURE__*/__webpack_require__.n(external_node_crypto_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/client/upload.ts



/** Files larger than this go up in parts by default (the official CLI's 100 MiB). */
const DEFAULT_MULTIPART_THRESHOLD = 100 * 1024 * 1024;
/** Part size of a multipart upload by default. */
const DEFAULT_PART_SIZE = 100 * 1024 * 1024;
/** Bytes read per chunk while hashing. */
const HASH_CHUNK_BYTES = 1024 * 1024;
/**
 * The sha256 and size of a file, read in chunks into two buffers it reuses (never whole into
 * memory): the next chunk is read while the last one is hashed.
 */
async function hashFile(file) {
    const handle = await external_node_fs_default().promises.open(file, 'r');
    try {
        const hash = external_node_crypto_default().createHash('sha256');
        const buffers = [Buffer.allocUnsafe(HASH_CHUNK_BYTES), Buffer.allocUnsafe(HASH_CHUNK_BYTES)];
        let size = 0;
        let reading = handle.read(buffers[0], 0, HASH_CHUNK_BYTES, 0);
        for (let i = 0;; i ^= 1) {
            const { bytesRead } = await reading;
            if (bytesRead === 0)
                break;
            reading = handle.read(buffers[i ^ 1], 0, HASH_CHUNK_BYTES, size + bytesRead);
            hash.update(buffers[i].subarray(0, bytesRead));
            size += bytesRead;
        }
        return { sha256: hash.digest('hex'), size };
    }
    finally {
        await handle.close();
    }
}
function enc(segment) {
    return encodeURIComponent(segment);
}
/**
 * Uploads one file: hashes it (unless `hashed` says what it hashes to), requests an upload
 * (`POST /files/{owner}/{repo}/` with its sha256, method `put` or `put_parts`), then sends the
 * bytes from disk with `PUT upload_url` — in parts above the threshold, finished with
 * `POST …/{identifier}/complete/`. A retried PUT reads the file again from its part's first
 * byte; a file whose size changed since it was hashed fails the upload instead of being sent.
 *
 * Only the sha256 is declared (the checksum of PUT uploads): the service verifies the bytes
 * against it before it answers, and also computing an md5 would double the client's CPU per GiB
 * without checking anything the sha256 does not.
 */
async function uploadFile(transport, owner, repo, file, options = {}) {
    const filename = options.filename ?? external_node_path_default().basename(file);
    const { sha256, size } = options.hashed ?? (await hashFile(file));
    const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
    const partSize = Math.max(1, options.partSize ?? DEFAULT_PART_SIZE);
    const multipart = size > threshold;
    const request = {
        filename,
        sha256_checksum: sha256,
        method: multipart ? 'put_parts' : 'put',
    };
    // Requesting an upload slot twice only leaves an unused slot that expires: safe to retry.
    const { data: slot } = await transport.call({
        method: 'POST',
        path: `/files/${enc(owner)}/${enc(repo)}/`,
        json: request,
        idempotent: true,
    });
    if (!slot?.identifier || !slot.upload_url) {
        throw new Error(`POST /files/${owner}/${repo}/: the answer has no identifier or upload_url.`);
    }
    const headers = { ...(slot.upload_headers ?? {}) };
    const report = (sent) => options.onProgress?.({ filename, sentBytes: sent, totalBytes: size });
    if (!multipart) {
        await transport.call({
            method: 'PUT',
            path: withQuery(slot.upload_url, slot.upload_querystring),
            headers,
            body: { file, length: size, fileSize: size, onSent: report },
        });
        return { identifier: slot.identifier, filename, size, sha256, parts: 1 };
    }
    const parts = Math.ceil(size / partSize);
    for (let n = 1; n <= parts; n++) {
        const start = (n - 1) * partSize;
        const end = Math.min(size, start + partSize);
        const url = new URL(withQuery(slot.upload_url, slot.upload_querystring));
        url.searchParams.set('upload_id', slot.identifier);
        url.searchParams.set('part_number', String(n));
        await transport.call({
            method: 'PUT',
            path: url.toString(),
            headers,
            body: { file, start, length: end - start, fileSize: size, onSent: (sent) => report(start + sent) },
        });
    }
    await transport.call({
        method: 'POST',
        path: `/files/${enc(owner)}/${enc(repo)}/${enc(slot.identifier)}/complete/`,
        json: { upload_id: slot.identifier, complete: true },
    });
    return { identifier: slot.identifier, filename, size, sha256, parts };
}
/** The upload URL with the upload query string's parameters added where it does not have them already. */
function withQuery(url, querystring) {
    const merged = new URL(url);
    for (const [k, v] of new URLSearchParams(querystring ?? '')) {
        if (!merged.searchParams.has(k))
            merged.searchParams.set(k, v);
    }
    return merged.toString();
}

;// CONCATENATED MODULE: ./src/client/client.ts


function client_enc(segment) {
    return encodeURIComponent(segment);
}
/**
 * The repository API (Cloudsmith v1 shapes) with typed answers.
 *
 * Retries: every call retries network failures, 408, 429 (after `Retry-After`) and 5xx with
 * exponential backoff and full jitter, up to `retries` times — but a POST that is not known to be
 * idempotent is retried only when it cannot have been processed (connection refused, 429).
 * POSTs documented idempotent here, and so retried like reads:
 *
 * | call | why repeating is harmless |
 * | --- | --- |
 * | `exchangeOidc` | each exchange issues an independent token; a lost answer only wastes one |
 * | `uploadFile`'s `POST /files/…/` | an unused upload slot expires |
 * | `tagPackage` | adding, removing or replacing the same tags twice ends in the same state |
 *
 * Not retried once they may have reached the server: `createPackage`, `copyPackage`,
 * `movePackage`, `quarantinePackage` and the multipart `complete` call.
 */
class RepositoryClient {
    transport;
    constructor(options) {
        this.transport = new Transport(options);
    }
    /** The API root this client talks to. */
    get baseUrl() {
        return this.transport.baseUrl;
    }
    /** `GET /user/self/`: who the credential belongs to (`authenticated: false` when anonymous). */
    async whoami() {
        return (await this.transport.call({ method: 'GET', path: '/user/self/' })).data;
    }
    /**
     * `POST /openid/{org}/`: exchanges a CI OIDC token for a short-lived repository token. Retries
     * network failures, 429 and 5xx only; any other refusal fails at once with the server's detail.
     */
    async exchangeOidc(org, oidcToken, serviceSlug, options = {}) {
        const { data } = await this.transport.call({
            method: 'POST',
            path: `/openid/${client_enc(org)}/`,
            json: { oidc_token: oidcToken, service_slug: serviceSlug },
            idempotent: true,
            retryStatus: (status) => status === 429 || status >= 500,
            retries: options.retries,
        });
        if (!data || typeof data.token !== 'string' || data.token === '') {
            throw new Error(`POST /openid/${org}/: the answer carries no token.`);
        }
        const expiresAt = data.token_expires_at ? new Date(data.token_expires_at) : jwtExpiry(data.token);
        return {
            token: data.token,
            expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : undefined,
        };
    }
    /** Streams a file to the repository; see {@link uploadFile}. */
    async uploadFile(owner, repo, file, options) {
        return uploadFile(this.transport, owner, repo, file, options);
    }
    /** `POST /packages/{owner}/{repo}/upload/{format}/` with `package_file` and the format's fields. */
    async createPackage(owner, repo, format, body) {
        const path = `/packages/${client_enc(owner)}/${client_enc(repo)}/upload/${client_enc(format)}/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `GET /packages/{owner}/{repo}/{identifier}/`. */
    async getPackage(owner, repo, identifier) {
        return (await this.transport.call({ method: 'GET', path: packagePath(owner, repo, identifier) }))
            .data;
    }
    /**
     * `GET …/{identifier}/status/`; with `wait` the server may hold the answer up to that many
     * seconds until the status changes (the socket timeout is raised to match).
     */
    async getPackageStatus(owner, repo, identifier, options = {}) {
        const { data } = await this.transport.call({
            method: 'GET',
            path: `${packagePath(owner, repo, identifier)}status/`,
            query: { wait: options.wait },
            timeoutMs: options.wait ? (options.wait + 30) * 1000 : undefined,
        });
        return data;
    }
    /** `GET /packages/{owner}/{repo}/` with a search query; one page and its paging headers. */
    async listPackages(owner, repo, query = {}) {
        const reply = await this.transport.call({
            method: 'GET',
            path: `/packages/${client_enc(owner)}/${client_enc(repo)}/`,
            query: { query: query.query, sort: query.sort, page: query.page, page_size: query.pageSize },
        });
        return readPage(reply.data ?? [], reply.headers, query);
    }
    /** `POST …/{identifier}/copy/`: the new copy in `destination`. */
    async copyPackage(owner, repo, identifier, body) {
        const path = `${packagePath(owner, repo, identifier)}copy/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `POST …/{identifier}/move/`: the package, now in `destination`. */
    async movePackage(owner, repo, identifier, body) {
        const path = `${packagePath(owner, repo, identifier)}move/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `POST …/{identifier}/tag/`. */
    async tagPackage(owner, repo, identifier, body) {
        const path = `${packagePath(owner, repo, identifier)}tag/`;
        return (await this.transport.call({ method: 'POST', path, json: body, idempotent: true })).data;
    }
    /** `POST …/{identifier}/quarantine/`; `{release: true}` releases it. */
    async quarantinePackage(owner, repo, identifier, body = {}) {
        const path = `${packagePath(owner, repo, identifier)}quarantine/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `GET /vulnerabilities/{owner}/{repo}/{package}/`: scan results of a package, newest first. */
    async listVulnerabilities(owner, repo, pkg) {
        const path = `/vulnerabilities/${client_enc(owner)}/${client_enc(repo)}/${client_enc(pkg)}/`;
        return (await this.transport.call({ method: 'GET', path })).data ?? [];
    }
    /** `GET /vulnerabilities/{owner}/{repo}/{package}/{identifier}/`: one scan with every finding. */
    async getVulnerabilities(owner, repo, pkg, identifier) {
        const path = `/vulnerabilities/${client_enc(owner)}/${client_enc(repo)}/${client_enc(pkg)}/${client_enc(identifier)}/`;
        return (await this.transport.call({ method: 'GET', path })).data;
    }
}
function packagePath(owner, repo, identifier) {
    return `/packages/${client_enc(owner)}/${client_enc(repo)}/${client_enc(identifier)}/`;
}
function header(headers, name) {
    const value = headers[name];
    const n = Number(Array.isArray(value) ? value[0] : value);
    return value !== undefined && Number.isFinite(n) ? n : undefined;
}
function readPage(items, headers, query) {
    const page = header(headers, 'x-pagination-page') ?? query.page ?? 1;
    return {
        items,
        page,
        pageSize: header(headers, 'x-pagination-pagesize') ?? query.pageSize ?? items.length,
        pageTotal: header(headers, 'x-pagination-pagetotal') ?? page,
        count: header(headers, 'x-pagination-count') ?? items.length,
    };
}
/** The `exp` of a JWT, read without verifying it (only to know when to refresh). */
function jwtExpiry(token) {
    const payload = token.split('.')[1];
    if (!payload)
        return undefined;
    try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/config/names.ts
var names = __webpack_require__(6234);
// EXTERNAL MODULE: ./src/runtime/runtime.ts
var runtime_runtime = __webpack_require__(2536);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
;// CONCATENATED MODULE: ./src/steps/npmrc.ts



/** The npm registry URL of a repository on an Airlock service: `{root}/npm/{owner}/{repo}/`. */
function npmRegistryUrl(apiUrl, owner, repo) {
    // The API may be given with its /v1 prefix; the registry lives beside it, not under it.
    const root = apiUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    return `${root}/npm/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/`;
}
/**
 * The lines of `existing` with `registry=` and this registry's `_authToken` replaced by the
 * given ones. The token line names `${AIRLOCK_API_KEY}`, which npm expands from the environment:
 * the secret never lands in the file, and a renewed token is picked up as it is exported.
 */
function npmrcText(existing, registry) {
    const authKey = `${registry.replace(/^https?:/, '')}:_authToken`;
    const kept = existing
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .filter((line) => !/^\s*registry\s*=/.test(line) && !line.trim().startsWith(`${authKey}`));
    return [...kept, `registry=${registry}`, `${authKey}=\${${names/* AuthEnv */.gG.ApiKey}}`].join('\n') + '\n';
}
/**
 * Writes (or updates) an `.npmrc` so that later steps' `npm`, `pnpm` and `yarn` use the
 * repository's registry with the token `auth` exported. Without a path it writes `.npmrc` in
 * the runner's temp folder and exports it as npm's user config (as setup-node does).
 */
async function writeNpmrc(runtime, apiUrl, settings) {
    const registry = npmRegistryUrl(apiUrl, settings.owner, settings.repo);
    const temp = runtime.getEnv('RUNNER_TEMP');
    const file = settings.path || external_node_path_default().join(temp || process.cwd(), '.npmrc');
    let existing = '';
    try {
        existing = await promises_default().readFile(file, 'utf8');
    }
    catch (err) {
        // Checked by shape: fs errors may come from another realm (test runners), where instanceof fails.
        if (err?.code !== 'ENOENT')
            throw err;
    }
    await promises_default().mkdir(external_node_path_default().dirname(external_node_path_default().resolve(file)), { recursive: true });
    await promises_default().writeFile(file, npmrcText(existing, registry), { mode: 0o600 });
    if (!settings.path)
        runtime.exportVariable(names/* AuthEnv */.gG.NpmUserConfig, file);
    runtime.setOutput(names/* AuthOutput */.o8.NpmRegistry, registry);
    runtime.info(`Wrote the npm registry ${registry} and its token (from ${names/* AuthEnv */.gG.ApiKey}) to ${file}.`);
    return file;
}

;// CONCATENATED MODULE: ./src/steps/retry.ts



/** A log line for a retry: what is retried, when, and why. */
function describeRetry(what, notice) {
    const reason = (0,errors/* errorMessage */.gJ)(notice.error);
    const seconds = (notice.delayMs / 1000).toFixed(1);
    return `${what} failed (${reason}); retry ${notice.retry} of ${notice.retries} in ${seconds} s.`;
}
/** Resolves with `promise`, or rejects with a retryable IdTokenError after `ms`. */
async function withTimeout(promise, ms) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new runtime_runtime/* IdTokenError */.Z4(`the ID-token request took longer than ${ms / 1000} s`, true)), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
/**
 * The runtime's ID token for `audience`, retried on network failures, 5xx and timeouts with
 * backoff and jitter. A CI without ID tokens (IdTokenUnavailableError) fails at once.
 */
async function getIdTokenWithRetries(runtime, audience, retries, deps = {}) {
    return retry(() => withTimeout(runtime.getIdToken(audience), deps.idTokenTimeoutMs ?? 30_000), {
        ...deps.timing,
        retries,
        shouldRetry: (err) => (err instanceof runtime_runtime/* IdTokenError */.Z4 && err.retryable ? {} : false),
        onRetry: (notice) => runtime.info(describeRetry('Getting the OIDC ID token', notice)),
    });
}

;// CONCATENATED MODULE: ./src/steps/auth.ts






/**
 * Gets the CI's ID token (retrying network failures, 5xx and timeouts) and exchanges it for a
 * repository token (retrying network failures, 5xx and 429; any other refusal fails at once with
 * the server's detail). Both tokens are masked the moment they exist.
 */
async function exchangeIdToken(runtime, settings, deps = {}) {
    const idToken = await getIdTokenWithRetries(runtime, settings.audience, settings.retries, deps);
    runtime.setSecret(idToken);
    const client = new RepositoryClient({
        baseUrl: settings.apiUrl,
        retries: settings.retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
    });
    let exchanged;
    try {
        exchanged = await client.exchangeOidc(settings.org, idToken, settings.serviceSlug);
    }
    catch (err) {
        if (err instanceof errors/* ApiError */.hD && err.status < 500 && err.status !== 429) {
            throw new Error(`The repository refused the OIDC exchange for org '${settings.org}' and service '${settings.serviceSlug}': ${err.message}. ` +
                'Check that the organisation trusts this issuer with claims that match this workflow, that the ' +
                `service account is attached to that provider, and that its audience is '${settings.audience}'.`, { cause: err });
        }
        throw err;
    }
    runtime.setSecret(exchanged.token);
    return exchanged;
}
/**
 * The `auth` step: OIDC exchange when `org` and `service-slug` are set (falling back to
 * `api-key` only when the CI offers no ID token), then masks the token, checks it with
 * `GET /user/self/`, sets the outputs and exports what later steps need.
 */
async function authenticate(runtime, settings, deps = {}) {
    let token;
    let expiresAt;
    let method = 'api-key';
    if (settings.org && settings.serviceSlug) {
        try {
            ({ token, expiresAt } = await exchangeIdToken(runtime, { ...settings, org: settings.org, serviceSlug: settings.serviceSlug }, deps));
            method = 'oidc';
        }
        catch (err) {
            if (!(err instanceof runtime_runtime/* IdTokenUnavailableError */.$J && settings.apiKey))
                throw err;
            runtime.warning(`${err.message.split('. ')[0]}. Using the api-key input instead of OIDC.`);
            token = settings.apiKey;
        }
    }
    else if (settings.apiKey) {
        token = settings.apiKey;
    }
    else {
        throw new Error('Nothing to authenticate with: give org and service-slug (OIDC) or api-key.');
    }
    runtime.setSecret(token);
    const identity = await verifyToken(runtime, settings.apiUrl, token, settings.retries, deps);
    const expiry = expiresAt?.toISOString() ?? '';
    runtime.setOutput(names/* AuthOutput */.o8.Token, token);
    runtime.setOutput(names/* AuthOutput */.o8.ExpiresAt, expiry);
    runtime.exportVariable(names/* AuthEnv */.gG.ApiUrl, settings.apiUrl);
    runtime.exportVariable(names/* AuthEnv */.gG.ApiKey, token);
    runtime.exportVariable(names/* AuthEnv */.gG.TokenExpiresAt, expiry);
    if (method === 'oidc') {
        runtime.exportVariable(names/* AuthEnv */.gG.Org, settings.org ?? '');
        runtime.exportVariable(names/* AuthEnv */.gG.ServiceSlug, settings.serviceSlug ?? '');
        runtime.exportVariable(names/* AuthEnv */.gG.Audience, settings.audience);
    }
    if (settings.npm)
        await writeNpmrc(runtime, settings.apiUrl, settings.npm);
    const who = identity.slug ?? identity.name ?? 'an unnamed account';
    runtime.info(method === 'oidc'
        ? `Authenticated to ${settings.apiUrl} as ${who} through OIDC; the token expires ${expiry || 'when the server says'}.`
        : `Authenticated to ${settings.apiUrl} as ${who} with an API key.`);
    return { token, expiresAt, method, identity };
}
/** Checks a credential with `GET /user/self/`; throws unless the repository knows it. */
async function verifyToken(runtime, apiUrl, token, retries = names/* AuthDefaults */.hs.Retries, deps = {}) {
    const client = new RepositoryClient({
        baseUrl: apiUrl,
        apiKey: token,
        retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
    });
    const self = await client.whoami();
    if (!self?.authenticated) {
        throw new Error(`The repository at ${apiUrl} did not accept the token: GET /user/self/ says it is not authenticated.`);
    }
    return self;
}
/** A token with less than this left is exchanged again before use. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/**
 * For steps that run after `auth`: when `settings.apiKey` is the token `auth` exported and it has
 * under five minutes left, exchanges a new ID token (the same path as `auth`), masks it, exports
 * it in place of the old one and returns the settings with it. Any other credential (a key given
 * explicitly, a token without a known expiry) is returned unchanged.
 */
async function ensureFreshToken(runtime, settings, deps = {}) {
    if (settings.apiKey !== runtime.getEnv(names/* AuthEnv */.gG.ApiKey))
        return settings;
    const expiry = Date.parse(runtime.getEnv(names/* AuthEnv */.gG.TokenExpiresAt) ?? '');
    if (Number.isNaN(expiry))
        return settings;
    const left = expiry - (deps.now ?? Date.now)();
    if (left >= REFRESH_MARGIN_MS)
        return settings;
    const org = runtime.getEnv(names/* AuthEnv */.gG.Org);
    const serviceSlug = runtime.getEnv(names/* AuthEnv */.gG.ServiceSlug);
    if (!org || !serviceSlug) {
        runtime.warning(`The repository token expires in ${Math.max(0, Math.round(left / 1000))} s and cannot be renewed: ${names/* AuthEnv */.gG.Org} and ${names/* AuthEnv */.gG.ServiceSlug} are not set (run the auth action with OIDC).`);
        return settings;
    }
    const { token, expiresAt } = await exchangeIdToken(runtime, {
        apiUrl: settings.apiUrl,
        org,
        serviceSlug,
        audience: runtime.getEnv(names/* AuthEnv */.gG.Audience) || names/* AuthDefaults */.hs.Audience,
        retries: settings.retries ?? names/* AuthDefaults */.hs.Retries,
    }, deps);
    runtime.exportVariable(names/* AuthEnv */.gG.ApiKey, token);
    runtime.exportVariable(names/* AuthEnv */.gG.TokenExpiresAt, expiresAt?.toISOString() ?? '');
    runtime.info(`Renewed the repository token (${Math.max(0, Math.round(left / 1000))} s were left).`);
    return { ...settings, apiKey: token };
}
/**
 * A credential source for a client that may outlive the token (a long wait for a scan): each
 * call returns the current token, renewing it through {@link ensureFreshToken} when it is about
 * to expire. Concurrent calls share one renewal.
 */
function freshTokenSource(runtime, settings, deps = {}) {
    let current = settings;
    let pending;
    return async () => {
        pending ??= ensureFreshToken(runtime, current, deps).finally(() => {
            pending = undefined;
        });
        current = await pending;
        return current.apiKey;
    };
}

;// CONCATENATED MODULE: ./src/steps/connect.ts





/**
 * A repository client for a step: the credential renewed when the `auth` step's token is about
 * to expire, retries logged through the runtime.
 */
function connect(runtime, connection, deps = {}) {
    return new RepositoryClient({
        baseUrl: connection.apiUrl,
        getToken: freshTokenSource(runtime, connection, deps),
        retries: connection.retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
    });
}
/**
 * Whether a failed write may be tried again once the step has checked that it did not take
 * effect: a network failure, a timeout, throttling or a server error. A refusal (4xx) never is.
 */
function isTransientFailure(error) {
    if (error instanceof errors/* ApiError */.hD)
        return isRetryableStatus(error.status);
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    return (0,errors/* classifyNetworkError */.LW)(cause) !== null || (0,errors/* classifyNetworkError */.LW)(error) !== null;
}
/** The wait a server asked for (Retry-After), when the failure carries one. */
function retryAfterOf(error) {
    return error instanceof errors/* ApiError */.hD && error.retryAfterMs !== undefined
        ? { retryAfterMs: error.retryAfterMs }
        : {};
}

;// CONCATENATED MODULE: ./src/policy/coverage.ts
/**
 * What the repository says its scan of a package covered: which components it evaluated, which
 * it could not (and why), whether a scan limit stopped it, and how fresh the advisory data of
 * each ecosystem was. A gate that passes a package nobody could check is worse than no gate, so
 * this is judged like the findings are.
 */
/** Why the scanner could not evaluate a component (the repository's `reason`). */
const NOT_EVALUATED_REASONS = (/* unused pure expression or super */ null && ([
    'no_advisory_data',
    'unparseable_version',
    'unsupported_ecosystem',
    'scan_limit',
]));
function fail(field, expected) {
    throw new Error(`the scan's coverage report has an unreadable \`${field}\` (expected ${expected})`);
}
function record(value, field) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        fail(field, 'an object');
    return value;
}
function count(value, field) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
        fail(field, 'a whole number');
    return value;
}
function coverage_text(value, field) {
    if (typeof value !== 'string')
        fail(field, 'text');
    return value;
}
function list(value, field) {
    if (!Array.isArray(value))
        fail(field, 'a list');
    return value;
}
function readComponent(value, i) {
    const at = `not_evaluated_components[${i}]`;
    const c = record(value, at);
    const location = c.location === undefined || c.location === null ? undefined : record(c.location, `${at}.location`);
    const line = location?.line;
    return {
        ecosystem: coverage_text(c.ecosystem, `${at}.ecosystem`),
        name: coverage_text(c.name, `${at}.name`),
        version: coverage_text(c.version, `${at}.version`),
        reason: coverage_text(c.reason, `${at}.reason`),
        detail: typeof c.detail === 'string' ? c.detail : '',
        ...(location
            ? {
                location: {
                    path: coverage_text(location.path, `${at}.location.path`),
                    ...(typeof line === 'number' ? { line } : {}),
                },
            }
            : {}),
    };
}
function readEcosystem(value, i) {
    const at = `ecosystems[${i}]`;
    const e = record(value, at);
    const updated = e.advisories_updated_at;
    return {
        ecosystem: coverage_text(e.ecosystem, `${at}.ecosystem`),
        components: count(e.components, `${at}.components`),
        evaluated: count(e.evaluated, `${at}.evaluated`),
        advisories: count(e.advisories, `${at}.advisories`),
        advisoriesUpdatedAt: updated === null || updated === undefined ? null : coverage_text(updated, `${at}.advisories_updated_at`),
    };
}
/**
 * The `coverage` of a scan-results detail, as the gate reads it; undefined when the repository
 * sent none (it does not report coverage). Throws naming the field when it is malformed, so a
 * report the gate cannot read fails the scan rather than passing it.
 */
function readCoverage(wire) {
    if (wire === undefined || wire === null)
        return undefined;
    const c = record(wire, 'coverage');
    const limit = c.limit_reached;
    if (typeof c.complete !== 'boolean')
        fail('complete', 'true or false');
    return {
        complete: c.complete,
        evaluated: count(c.evaluated, 'evaluated'),
        notEvaluated: count(c.not_evaluated, 'not_evaluated'),
        notEvaluatedComponents: list(c.not_evaluated_components ?? [], 'not_evaluated_components').map(readComponent),
        limitReached: limit === null || limit === undefined ? null : coverage_text(limit, 'limit_reached'),
        ecosystems: list(c.ecosystems ?? [], 'ecosystems').map(readEcosystem),
    };
}
/** `7d`, `36h`, `90m` or `45s`: the largest unit that states the duration exactly. */
function formatDuration(seconds) {
    if (seconds > 0 && seconds % 86400 === 0)
        return `${seconds / 86400}d`;
    if (seconds > 0 && seconds % 3600 === 0)
        return `${seconds / 3600}h`;
    if (seconds > 0 && seconds % 60 === 0)
        return `${seconds / 60}m`;
    return `${seconds}s`;
}
/** An age in words a person reads at a glance: `9 days`, `36 hours`, `5 minutes`. */
function describeAge(seconds) {
    const unit = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    if (seconds < 60)
        return 'less than a minute';
    if (seconds < 2 * 3600)
        return unit(Math.floor(seconds / 60), 'minute');
    if (seconds < 2 * 86400)
        return unit(Math.floor(seconds / 3600), 'hour');
    return unit(Math.floor(seconds / 86400), 'day');
}
/** Components plural. */
function components(n) {
    return `${n.toLocaleString('en-US')} component${n === 1 ? '' : 's'}`;
}
/** `'foo' 2.0.0-final (PyPI version '2.0.0-final' is not a valid PEP 440 version)` */
function describeComponent(c) {
    const why = c.detail || c.reason.replace(/_/g, ' ');
    return `'${c.name}' ${c.version} (${why})`;
}
const SYNC = '`airlock-server advisories sync`';
/** How to close the gap a reason leaves, for a person reading the gate's message. */
function remedy(reason, ecosystem) {
    switch (reason) {
        case 'no_advisory_data':
            return `load advisory data for ${ecosystem} on the repository service (${SYNC})`;
        case 'unparseable_version':
            return `correct the version in the lock file or manifest, or accept the gap with on-incomplete: pass`;
        case 'unsupported_ecosystem':
            return `the repository cannot match ${ecosystem} components; accept the gap with on-incomplete: pass`;
        default:
            return `see the repository's scan of the package, or accept the gap with on-incomplete: pass`;
    }
}
const EXAMPLES = 3;
function ageOf(updatedAt, now) {
    if (updatedAt === null)
        return null;
    const at = Date.parse(updatedAt);
    if (Number.isNaN(at))
        return null;
    // A repository clock ahead of ours is not a reason to call its data old.
    return Math.max(0, Math.floor((now.getTime() - at) / 1000));
}
function checkEcosystem(e, maxAgeSec, now) {
    const ageSec = ageOf(e.advisoriesUpdatedAt, now);
    const freshness = e.components === 0
        ? 'not-needed'
        : ageSec === null
            ? 'never-loaded'
            : ageSec > maxAgeSec
                ? 'stale'
                : 'fresh';
    return { ...e, ageSec, freshness };
}
/**
 * Judges a scan's coverage at `now`: components not evaluated (grouped by ecosystem, with a few
 * examples and how to fix it), a scan limit that stopped the scan, and advisory data of an
 * ecosystem the package needs that is older than `maxAdvisoryAgeSec` or was never loaded. Pure.
 */
function checkCoverage(coverage, maxAdvisoryAgeSec, now) {
    if (!coverage) {
        return {
            status: 'not-reported',
            evaluated: null,
            notEvaluated: null,
            notEvaluatedComponents: [],
            limitReached: null,
            ecosystems: [],
            problems: [],
        };
    }
    const ecosystems = coverage.ecosystems.map((e) => checkEcosystem(e, maxAdvisoryAgeSec, now));
    const problems = [];
    let explained = 0;
    const merged = new Set();
    for (const e of ecosystems) {
        if (e.freshness === 'never-loaded') {
            const missing = e.components - e.evaluated;
            const gap = missing > 0
                ? `, so ${missing.toLocaleString('en-US')} of ${components(e.components)} ${missing === 1 ? 'was' : 'were'} not evaluated`
                : '';
            // Advisories held without a recorded sync or import are of unknown age: not trusted either.
            const never = e.advisoriesUpdatedAt !== null
                ? `of unreadable age ("${e.advisoriesUpdatedAt}")`
                : e.advisories > 0
                    ? `never loaded by a sync or import (the ${e.advisories.toLocaleString('en-US')} advisories held have no recorded age)`
                    : 'never loaded';
            problems.push(`${e.ecosystem}: advisory data ${never}${gap} — run ${SYNC} on the repository service`);
            explained += Math.max(0, missing);
            merged.add(e.ecosystem);
        }
        else if (e.freshness === 'stale') {
            problems.push(`advisory data for ${e.ecosystem} is ${describeAge(e.ageSec ?? 0)} old (max-advisory-age ${formatDuration(maxAdvisoryAgeSec)}) — sync it (${SYNC} on the repository service) or raise max-advisory-age`);
        }
    }
    // Components an ecosystem's never-loaded data already explains are not listed again.
    const listed = coverage.notEvaluatedComponents.filter((c) => c.reason !== 'scan_limit' && !(c.reason === 'no_advisory_data' && merged.has(c.ecosystem)));
    const groups = new Map();
    for (const c of listed)
        groups.set(c.ecosystem, [...(groups.get(c.ecosystem) ?? []), c]);
    for (const [ecosystem, group] of groups) {
        const examples = group.slice(0, EXAMPLES).map(describeComponent).join(', ');
        const more = group.length > EXAMPLES ? ` and ${group.length - EXAMPLES} more` : '';
        const reasons = [...new Set(group.map((c) => c.reason))];
        const fixes = reasons.map((r) => remedy(r, ecosystem)).join('; ');
        problems.push(`${ecosystem}: ${components(group.length)} not evaluated: ${examples}${more} — ${fixes}`);
        explained += group.length;
    }
    if (coverage.limitReached !== null) {
        const stopped = coverage.notEvaluatedComponents.filter((c) => c.reason === 'scan_limit').length;
        const gap = stopped > 0 ? `, leaving ${components(stopped)} not evaluated` : '';
        problems.push(`the scan stopped at the repository's limit of ${coverage.limitReached}${gap} — raise the limit on the repository service or split the package`);
        explained += stopped;
    }
    const rest = coverage.notEvaluated - explained;
    if (rest > 0) {
        problems.push(`${rest.toLocaleString('en-US')} more ${rest === 1 ? 'component' : 'components'} not evaluated (the repository lists ${coverage.notEvaluatedComponents.length.toLocaleString('en-US')}) — see the repository's scan of the package`);
    }
    // A report that calls itself incomplete without saying why is still incomplete.
    if (!coverage.complete && problems.length === 0) {
        problems.push('the repository reports the scan as incomplete without saying why — see its scan of the package');
    }
    return {
        status: problems.length > 0 ? 'incomplete' : 'complete',
        evaluated: coverage.evaluated,
        notEvaluated: coverage.notEvaluated,
        notEvaluatedComponents: coverage.notEvaluatedComponents,
        limitReached: coverage.limitReached,
        ecosystems,
        problems,
    };
}
/** The coverage of a package that was not scanned to the end: judged by its scan status instead. */
function notScanned() {
    return { ...checkCoverage(undefined, 0, new Date(0)), status: 'not-scanned' };
}

;// CONCATENATED MODULE: ./src/policy/severity.ts
/** Gate levels, lowest first. `unknown` is not a level: settings say which level it counts as. */
const LEVELS = ['low', 'medium', 'high', 'critical'];
/** Every severity, highest first: the order reports list them in. */
const SEVERITIES_DESCENDING = ['critical', 'high', 'medium', 'low', 'unknown'];
/** Accepted values of `fail-on`, in the order messages list them. */
const FAIL_ON_VALUES = (/* unused pure expression or super */ null && (['critical', 'high', 'medium', 'low', 'none']));
/** Counts with every severity at zero. */
function emptyCounts() {
    return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
}
/** Adds `b` into `a` and returns `a`. */
function addCounts(a, b) {
    for (const s of SEVERITIES_DESCENDING)
        a[s] += b[s];
    return a;
}
/** Whether `level` is at or above `threshold`. */
function isAtLeast(level, threshold) {
    return LEVELS.indexOf(level) >= LEVELS.indexOf(threshold);
}
/** Maps the API's capitalised severity to the gate's lower-case one. */
function severityFromWire(wire) {
    const s = wire.toLowerCase();
    return LEVELS.includes(s) ? s : 'unknown';
}
/** Capitalised label for reports: `Critical`, `High`, … */
function severityLabel(s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
}

;// CONCATENATED MODULE: ./src/policy/findings.ts

/** Best CVSS base score of one source: v4.0, else v3, else v2. */
function sourceScore(s) {
    return s.V40Score ?? s.V3Score ?? s.V2Score;
}
/** The highest CVSS base score over every source, or null when no source has a score. */
function highestCvssScore(scores) {
    let best = null;
    for (const s of Object.values(scores)) {
        const score = sourceScore(s);
        if (score !== undefined && (best === null || score > best))
            best = score;
    }
    return best;
}
/** Turns the repository's scan-results document into findings, one per result of every scan target. */
function findingsFromScanResults(results) {
    const findings = [];
    for (const scan of results.scans) {
        for (const v of scan.results) {
            findings.push({
                id: v.vulnerability_id,
                aliases: v.aliases ?? [],
                title: v.title,
                description: v.description,
                severity: severityFromWire(v.severity),
                severitySource: v.severity_source,
                component: v.package_name,
                installedVersion: v.affected_version.version || v.affected_version.raw_version,
                fixedVersion: v.fixed_version ? v.fixed_version.version || v.fixed_version.raw_version || null : null,
                references: v.references,
                cvssScore: highestCvssScore(v.cvss_scores),
                ...(v.location ? { location: { ...v.location } } : {}),
                target: scan.target,
            });
        }
    }
    return findings;
}

;// CONCATENATED MODULE: ./src/policy/allowlist.ts
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;
function isRealDate(y, m, d) {
    const t = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return (t.getUTCFullYear() === Number(y) && t.getUTCMonth() === Number(m) - 1 && t.getUTCDate() === Number(d));
}
/**
 * The instant (epoch ms) from which an `expires` value no longer applies, or undefined when the
 * text is not an accepted date. A bare date runs to the end of that day in UTC.
 */
function expiryInstant(expires) {
    const text = expires.trim();
    const dateOnly = DATE_ONLY.exec(text);
    if (dateOnly) {
        const [, y, m, d] = dateOnly;
        if (!isRealDate(y, m, d))
            return undefined;
        return Date.UTC(Number(y), Number(m) - 1, Number(d)) + DAY_MS;
    }
    const dateTime = DATE_TIME.exec(text);
    if (dateTime) {
        const [, y, m, d, hh, mm, ss] = dateTime;
        if (!isRealDate(y, m, d) || Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59)
            return undefined;
        const at = Date.parse(text.replace(' ', 'T'));
        return Number.isNaN(at) ? undefined : at;
    }
    return undefined;
}
/** Whether the entry has expired at `now`. Entries without `expires` never do. */
function isExpired(entry, now) {
    if (entry.expires === undefined)
        return false;
    const at = expiryInstant(entry.expires);
    // An unreadable date cannot be honoured, so the entry is treated as expired rather than forever valid.
    return at === undefined || now.getTime() >= at;
}
/** Package names compare the way registries do: case-insensitive, with `-`, `_` and `.` alike. */
function normaliseName(name) {
    return name
        .trim()
        .toLowerCase()
        .replace(/[-_.]+/g, '-');
}
/** Whether the entry covers this finding of this package (ignoring expiry). */
function entryMatches(entry, pkg, finding) {
    const wanted = entry.id.trim().toUpperCase();
    const ids = [finding.id, ...finding.aliases];
    if (!ids.some((id) => id.trim().toUpperCase() === wanted))
        return false;
    if (!entry.package)
        return true;
    const { name, version } = entry.package;
    const scoped = normaliseName(name);
    const onPackage = normaliseName(pkg.name) === scoped && (version === undefined || version === pkg.version);
    const onComponent = normaliseName(finding.component) === scoped &&
        (version === undefined || version === finding.installedVersion);
    return onPackage || onComponent;
}
/** `CVE-1 (lodash@4.17.20)` — how reports name an entry. */
function describeEntry(entry) {
    if (!entry.package)
        return entry.id;
    const pkg = entry.package.version ? `${entry.package.name}@${entry.package.version}` : entry.package.name;
    return `${entry.id} (${pkg})`;
}

// EXTERNAL MODULE: ./node_modules/spdx-correct/index.js
var spdx_correct = __webpack_require__(5728);
var spdx_correct_default = /*#__PURE__*/__webpack_require__.n(spdx_correct);
// EXTERNAL MODULE: ./node_modules/spdx-expression-parse/index.js
var spdx_expression_parse = __webpack_require__(3326);
var spdx_expression_parse_default = /*#__PURE__*/__webpack_require__.n(spdx_expression_parse);
;// CONCATENATED MODULE: ./src/policy/licenses.ts


// Values that say "no license information" rather than naming a license. npm's UNLICENSED means
// "no permission granted", which is not an SPDX id (spdx-correct would misread it as Unlicense).
const NO_LICENSE = new Set(['', 'NOASSERTION', 'NONE', 'UNKNOWN', 'UNLICENSED', 'SEE LICENSE IN LICENSE']);
/**
 * Comparable form of an SPDX id: case-insensitive and without the version-range suffixes
 * (`+`, `-only`, `-or-later`), so denying `GPL-3.0` also denies `GPL-3.0-only` and `GPL-3.0+`.
 */
function licenseFamily(id) {
    return id
        .trim()
        .replace(/\+$/, '')
        .replace(/-(only|or-later)$/i, '')
        .toLowerCase();
}
/** Whether some choice within the expression avoids every denied license; collects the denied ids met. */
function evaluate(node, deny, met) {
    if ('conjunction' in node) {
        const left = evaluate(node.left, deny, met);
        const right = evaluate(node.right, deny, met);
        return node.conjunction === 'or' ? left || right : left && right;
    }
    const hit = deny.get(licenseFamily(node.license));
    if (hit !== undefined)
        met.add(hit);
    return hit === undefined;
}
/** Parses a declared license as SPDX, correcting common free-text spellings ("Apache 2.0"). */
function readExpression(declared) {
    try {
        return { node: spdx_expression_parse_default()(declared) };
    }
    catch {
        const corrected = spdx_correct_default()(declared);
        if (!corrected)
            return undefined;
        try {
            return { node: spdx_expression_parse_default()(corrected), interpreted: corrected };
        }
        catch {
            return undefined;
        }
    }
}
/**
 * Judges a package's license against the deny list. `MIT OR GPL-3.0` is allowed when only
 * GPL-3.0 is denied (the user may choose MIT); `MIT AND GPL-3.0` is not.
 */
function checkLicense(license, denyLicenses) {
    const declared = license?.trim() ? license.trim() : null;
    if (denyLicenses.length === 0)
        return { status: 'not-checked', declared, denied: [] };
    if (declared === null || NO_LICENSE.has(declared.toUpperCase())) {
        return { status: 'unknown', declared, denied: [] };
    }
    const read = readExpression(declared);
    if (!read)
        return { status: 'unknown', declared, denied: [] };
    const deny = new Map(denyLicenses.map((id) => [licenseFamily(id), id]));
    const met = new Set();
    const allowed = evaluate(read.node, deny, met);
    return {
        status: allowed ? 'allowed' : 'denied',
        declared,
        ...(read.interpreted ? { interpreted: read.interpreted } : {}),
        denied: allowed ? [] : [...met],
    };
}
/**
 * Checks that a deny-list entry is an SPDX license id (or a `LicenseRef-`); returns an error
 * message naming the entry, with a suggestion when one is known, or undefined when it is fine.
 */
function describeInvalidLicenseId(id) {
    try {
        const node = parseSpdx(id);
        if (!('conjunction' in node) && !node.exception)
            return undefined;
        return `"${id}" is an expression; list single SPDX license ids`;
    }
    catch {
        const suggestion = correctLicense(id);
        return suggestion
            ? `"${id}" is not an SPDX license id (did you mean ${suggestion}?)`
            : `"${id}" is not an SPDX license id`;
    }
}

;// CONCATENATED MODULE: ./src/policy/settings.ts
/** The documented default of `max-advisory-age`: a week. */
const DEFAULT_MAX_ADVISORY_AGE = '7d';
/** The defaults the actions and the CLI document: fail on high or worse, fail closed. */
const DEFAULT_GATE_SETTINGS = Object.freeze({
    failOn: 'high',
    ignoreUnfixed: false,
    unknownSeverity: 'ignore',
    allowlist: [],
    denyLicenses: [],
    unknownLicense: 'pass',
    onTimeout: 'fail',
    onScanError: 'fail',
    maxAdvisoryAgeSec: 7 * 24 * 3600,
    onIncomplete: 'fail',
});
/** Gate settings from the defaults overlaid with `overrides`. */
function resolveGateSettings(overrides = {}) {
    const merged = { ...DEFAULT_GATE_SETTINGS, allowlist: [], denyLicenses: [] };
    for (const [key, value] of Object.entries(overrides)) {
        if (value !== undefined)
            merged[key] = value;
    }
    return merged;
}
/** The `max-*` limit configured for a level, if any. */
function maxFor(settings, level) {
    switch (level) {
        case 'critical':
            return settings.maxCritical;
        case 'high':
            return settings.maxHigh;
        case 'medium':
            return settings.maxMedium;
        case 'low':
            return settings.maxLow;
    }
}

;// CONCATENATED MODULE: ./src/policy/gate.ts





/** Allowlist bookkeeping shared by every package of one evaluation. */
class AllowlistLedger {
    active;
    expired;
    used = new Set();
    wouldHave = new Map();
    suppressed = [];
    constructor(entries, now) {
        this.active = entries.filter((e) => !isExpired(e, now));
        this.expired = entries.filter((e) => isExpired(e, now));
    }
    /** The first active entry covering the finding; records every entry (active or expired) that matches. */
    suppressor(pkg, finding) {
        for (const e of this.expired) {
            if (entryMatches(e, pkg, finding))
                this.wouldHave.set(e, (this.wouldHave.get(e) ?? 0) + 1);
        }
        const matching = this.active.filter((e) => entryMatches(e, pkg, finding));
        for (const e of matching)
            this.used.add(e);
        const first = matching[0];
        if (first)
            this.suppressed.push({ package: pkg.name, version: pkg.version, finding, entry: first });
        return first;
    }
    expiredEntries() {
        return this.expired.map((entry) => ({ entry, wouldHaveSuppressed: this.wouldHave.get(entry) ?? 0 }));
    }
    staleEntries() {
        return this.active.filter((e) => !this.used.has(e));
    }
}
function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}
function classify(finding, pkg, settings, ledger) {
    const entry = ledger.suppressor(pkg, finding);
    if (entry)
        return { ...finding, effectiveLevel: null, disposition: 'allowlisted', allowlistEntry: entry };
    if (settings.ignoreUnfixed && !finding.fixedVersion) {
        return { ...finding, effectiveLevel: null, disposition: 'unfixed' };
    }
    const level = finding.severity === 'unknown' ? settings.unknownSeverity : finding.severity;
    if (level === 'ignore')
        return { ...finding, effectiveLevel: null, disposition: 'ignored' };
    return { ...finding, effectiveLevel: level, disposition: 'tolerated' };
}
function checkLevel(level, findings, settings) {
    const count = findings.filter((f) => f.effectiveLevel === level).length;
    const max = maxFor(settings, level);
    if (max !== undefined) {
        return { level, count, allowed: max, limitSource: `max-${level}`, exceeded: count > max };
    }
    if (settings.failOn !== 'none' && isAtLeast(level, settings.failOn)) {
        return { level, count, allowed: 0, limitSource: 'fail-on', exceeded: count > 0 };
    }
    return { level, count, allowed: null, limitSource: null, exceeded: false };
}
function levelReason(label, check, findings, settings) {
    const unknown = findings.filter((f) => f.effectiveLevel === check.level && f.severity === 'unknown').length;
    const counted = unknown > 0 ? ` (${unknown} of unknown severity, counted as ${check.level})` : '';
    const limit = check.limitSource === 'fail-on'
        ? `fail-on is ${settings.failOn}, so none are allowed`
        : `${check.limitSource} allows ${check.allowed === 0 ? 'none' : String(check.allowed)}`;
    return `${label} has ${plural(check.count, `${check.level} finding`)}${counted}; ${limit}.`;
}
function scanSentences(pkg, label, settings, reasons, notes) {
    const detail = pkg.scanDetail ? ` (${pkg.scanDetail})` : '';
    if (pkg.scanStatus === 'timeout') {
        const what = `${label}: the scan did not finish before the wait timeout${detail}`;
        if (settings.onTimeout === 'fail')
            reasons.push(`${what}; on-timeout is fail.`);
        else
            notes.push(`${what}; it passes only because on-timeout is pass.`);
    }
    else if (pkg.scanStatus === 'error') {
        const what = `${label}: the scan failed${detail}`;
        if (settings.onScanError === 'fail')
            reasons.push(`${what}; on-scan-error is fail.`);
        else
            notes.push(`${what}; it passes only because on-scan-error is pass.`);
    }
    else if (pkg.scanStatus === 'not_supported') {
        notes.push(`${label} was not scanned: the repository does not scan ${pkg.format} packages.`);
    }
}
function coverageSentences(coverage, label, settings, reasons, notes) {
    for (const problem of coverage.problems) {
        if (settings.onIncomplete === 'fail')
            reasons.push(`${label}: ${problem}.`);
        else
            notes.push(`${label}: ${problem}; it passes only because on-incomplete is pass.`);
    }
}
function licenseSentences(license, label, settings, reasons, notes) {
    if (license.status === 'denied') {
        const read = license.interpreted ? ` (read as ${license.interpreted})` : '';
        reasons.push(`${label} is licensed ${license.declared}${read}, which deny-licenses forbids (${license.denied.join(', ')}).`);
    }
    else if (license.status === 'unknown') {
        const what = license.declared
            ? `${label} declares a license that is not an SPDX expression ("${license.declared}")`
            : `${label} declares no license`;
        if (settings.unknownLicense === 'fail')
            reasons.push(`${what}, and unknown-license is fail.`);
        else
            notes.push(`${what}, so deny-licenses could not be checked.`);
    }
}
function judgePackage(pkg, settings, ledger, now) {
    const ref = { name: pkg.name, version: pkg.version };
    const label = `${pkg.name} ${pkg.version}`;
    const findings = pkg.findings.map((f) => classify(f, ref, settings, ledger));
    const reasons = [];
    const notes = [];
    scanSentences(pkg, label, settings, reasons, notes);
    // Only a finished scan has coverage to judge; the others are judged by on-timeout and on-scan-error.
    const coverage = pkg.scanStatus === 'complete'
        ? checkCoverage(pkg.coverage, settings.maxAdvisoryAgeSec, now)
        : notScanned();
    coverageSentences(coverage, label, settings, reasons, notes);
    const levels = [...LEVELS].reverse().map((level) => checkLevel(level, findings, settings));
    for (const check of levels) {
        if (!check.exceeded)
            continue;
        for (const f of findings)
            if (f.effectiveLevel === check.level)
                f.disposition = 'deciding';
        reasons.push(levelReason(label, check, findings, settings));
    }
    const license = checkLicense(pkg.license, settings.denyLicenses);
    licenseSentences(license, label, settings, reasons, notes);
    const counts = emptyCounts();
    for (const f of pkg.findings)
        counts[f.severity] += 1;
    const gatedCounts = { critical: 0, high: 0, medium: 0, low: 0 };
    for (const c of levels)
        gatedCounts[c.level] = c.count;
    return {
        name: pkg.name,
        version: pkg.version,
        format: pkg.format,
        ...(pkg.filename !== undefined ? { filename: pkg.filename } : {}),
        ...(pkg.url !== undefined ? { url: pkg.url } : {}),
        scanStatus: pkg.scanStatus,
        ...(pkg.scanDetail !== undefined ? { scanDetail: pkg.scanDetail } : {}),
        result: reasons.length > 0 ? 'fail' : 'pass',
        reasons,
        notes,
        counts,
        gatedCounts,
        levels,
        findings,
        license,
        coverage,
    };
}
function coverageTotals(verdicts) {
    const totals = { reported: 0, evaluated: 0, notEvaluated: 0, incomplete: 0 };
    for (const { coverage } of verdicts) {
        if (coverage?.evaluated == null || coverage.notEvaluated == null)
            continue;
        totals.reported += 1;
        totals.evaluated += coverage.evaluated;
        totals.notEvaluated += coverage.notEvaluated;
        if (coverage.status === 'incomplete')
            totals.incomplete += 1;
    }
    return totals;
}
function passSentence(count, settings) {
    if (count === 0)
        return 'No packages were given to the gate.';
    const limits = LEVELS.filter((l) => maxFor(settings, l) !== undefined).map((l) => `max-${l} ${String(maxFor(settings, l))}`);
    const failOn = settings.failOn === 'none'
        ? 'fail-on is none'
        : `nothing counted is at or above ${settings.failOn} (fail-on)`;
    const within = limits.length ? ` and every level is within its limit (${limits.join(', ')})` : '';
    const subject = count === 1 ? 'The package passes' : `All ${count} packages pass`;
    return `${subject}: ${failOn}${within}.`;
}
function passSentences(verdicts, settings) {
    const sentences = [passSentence(verdicts.length, settings)];
    const incomplete = verdicts.filter((v) => v.coverage?.status === 'incomplete');
    if (incomplete.length > 0) {
        // A pass that rests on on-incomplete must say so where the result is read, not only in notes.
        const which = incomplete.map((v) => `${v.name} ${v.version}`).join(', ');
        sentences.push(`The scan of ${which} was incomplete (see its coverage); it passes only because on-incomplete is pass.`);
    }
    return sentences;
}
/**
 * Judges packages against the gate settings at the instant `now` (allowlist expiry). Pure:
 * everything found is reported; only the configured limits, license rules, scan outcomes and
 * coverage decide the result. Scans that timed out, failed or left components unevaluated (or
 * ran on stale advisory data) fail the gate unless settings say pass.
 */
function evaluateGate(packages, settings, now) {
    const ledger = new AllowlistLedger(settings.allowlist, now);
    const verdicts = packages.map((p) => judgePackage(p, settings, ledger, now));
    const totals = verdicts.reduce((acc, v) => addCounts(acc, v.counts), emptyCounts());
    const failed = verdicts.filter((v) => v.result === 'fail');
    const expired = ledger.expiredEntries();
    const stale = ledger.staleEntries();
    const notes = verdicts.flatMap((v) => v.notes);
    for (const { entry, wouldHaveSuppressed } of expired) {
        const effect = wouldHaveSuppressed
            ? `; it would have suppressed ${plural(wouldHaveSuppressed, 'finding')}`
            : '';
        notes.push(`Allowlist entry ${entry.index + 1} (${describeEntry(entry)}, expires ${entry.expires}) has expired and was not applied${effect}.`);
    }
    for (const entry of stale) {
        notes.push(`Allowlist entry ${entry.index + 1} (${describeEntry(entry)}) matched no finding; it may be removed.`);
    }
    return {
        result: failed.length > 0 ? 'fail' : 'pass',
        reasons: failed.length > 0 ? failed.flatMap((v) => v.reasons) : passSentences(verdicts, settings),
        notes,
        packages: verdicts,
        totals,
        allowlist: { suppressed: ledger.suppressed, expired, stale },
        coverage: coverageTotals(verdicts),
        settings,
        evaluatedAt: now.toISOString(),
    };
}

;// CONCATENATED MODULE: ./src/api/text.ts
/**
 * What callers may put in the text they name things with. Identifiers (package names, versions,
 * tags, file names, repository slugs and names) may hold no control character at all; free text
 * (summaries, descriptions) may hold newlines and tabs but nothing else of the kind. Either way
 * the bidirectional controls that make text read differently from what it is are refused: a
 * name must show a terminal, a log or a web page exactly what it is.
 */
// C0 controls, DEL, C1 controls; the bidirectional marks, embeddings, overrides and isolates
// (U+061C, U+200E/F, U+202A–202E, U+2066–2069); the line and paragraph separators.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const NAMES = {
    0x00: 'NUL',
    0x09: 'tab',
    0x0a: 'newline',
    0x0d: 'carriage return',
    0x1b: 'ESC, which starts terminal escape sequences',
    0x7f: 'DEL',
    0x061c: 'arabic letter mark',
    0x200e: 'left-to-right mark',
    0x200f: 'right-to-left mark',
    0x2028: 'line separator',
    0x2029: 'paragraph separator',
    0x202a: 'left-to-right embedding',
    0x202b: 'right-to-left embedding',
    0x202c: 'pop directional formatting',
    0x202d: 'left-to-right override',
    0x202e: 'right-to-left override',
    0x2066: 'left-to-right isolate',
    0x2067: 'right-to-left isolate',
    0x2068: 'first strong isolate',
    0x2069: 'pop directional isolate',
};
/** `U+001B (ESC, …)`: how a refused character is named in a message (never the character itself). */
function describeCharacter(ch) {
    const code = ch.codePointAt(0) ?? 0;
    const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    const name = NAMES[code] ?? (code >= 0x80 && code <= 0x9f ? 'a C1 control character' : 'a control character');
    return `${hex} (${name})`;
}
/**
 * Why `value` may not stand as text of `kind`, or null when it may. The message names the first
 * refused character by code point and its position (1-based), without repeating the value, so
 * that the error itself is safe to print.
 */
function textProblem(value, kind) {
    for (const match of value.matchAll(FORBIDDEN)) {
        const ch = match[0];
        const at = match.index;
        if (kind === 'text' && (ch === '\n' || ch === '\t'))
            continue;
        // A Windows line ending is a newline too.
        if (kind === 'text' && ch === '\r' && value[at + 1] === '\n')
            continue;
        const what = kind === 'identifier' ? 'an identifier' : 'text';
        return `must not contain ${describeCharacter(ch)} (character ${at + 1}): ${what} here may hold no control or bidirectional formatting characters${kind === 'text' ? ' other than newlines and tabs' : ''}.`;
    }
    return null;
}
/**
 * Makes text inert for a terminal or a markdown page: every character {@link textProblem} would
 * refuse (newlines and tabs too, since a name is one line) is shown as its `\u{…}` escape.
 */
function escapeControls(value) {
    return value.replace(FORBIDDEN, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);
}

;// CONCATENATED MODULE: ./src/report/format.ts


/**
 * Makes text safe inside a markdown table cell (no pipes, no line breaks, no raw HTML, and no
 * control or bidirectional formatting characters: those show as `\u{…}`).
 */
function escapeCell(text) {
    return escapeControls(text.replace(/\r?\n|\r/g, ' '))
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '\\|')
        .trim();
}
/** Inline code that survives backticks in the text; control characters show as `\u{…}`. */
function code(text) {
    const clean = escapeControls(text.replace(/\r?\n|\r/g, ' '));
    return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}
/** `name version`, with any control character shown as `\u{…}` rather than acted on. */
function packageLabel(pkg) {
    return escapeControls(`${pkg.name} ${pkg.version}`);
}
/** ✅ passed / ❌ failed */
function resultBadge(result) {
    return result === 'pass' ? '✅ passed' : '❌ failed';
}
/** The advisory id, linked to its first reference when there is one. */
function advisoryLink(finding) {
    const url = finding.references.find((r) => /^https?:\/\//i.test(r));
    const id = escapeCell(finding.id);
    // Parentheses and spaces would end a markdown link early.
    const safe = url?.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    return safe ? `[${id}](${safe})` : id;
}
/** A one-row table of counts by severity. */
function countsTable(counts) {
    const head = SEVERITIES_DESCENDING.map(severityLabel);
    return [
        `| ${head.join(' | ')} |`,
        `| ${head.map(() => '---:').join(' | ')} |`,
        `| ${SEVERITIES_DESCENDING.map((s) => String(counts[s])).join(' | ')} |`,
    ].join('\n');
}
const OUTCOMES = {
    deciding: '**fails the gate**',
    tolerated: 'within limits',
    allowlisted: 'allowlisted',
    unfixed: 'no fix (ignored)',
    ignored: 'unknown severity (ignored)',
};
/** How a table names a finding's disposition. */
function outcomeLabel(finding) {
    return OUTCOMES[finding.disposition];
}
/** Findings sorted highest severity first, then by id. */
function sortFindings(findings) {
    const rank = (f) => SEVERITIES_DESCENDING.indexOf(f.severity);
    return [...findings].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
}
/** A table of findings; `outcome` adds what the gate did with each. Stops after `maxRows` with a line saying how many more. */
function findingsTable(findings, maxRows, outcome) {
    const rows = sortFindings(findings);
    const head = ['Severity', 'Advisory', 'Component', 'Installed', 'Fixed in', outcome ? 'Outcome' : 'Title'];
    const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
    for (const f of rows.slice(0, maxRows)) {
        const last = outcome ? outcomeLabel(f) : escapeCell(f.title || f.description.slice(0, 120));
        const cells = [
            severityLabel(f.severity),
            advisoryLink(f),
            escapeCell(f.component),
            escapeCell(f.installedVersion),
            f.fixedVersion ? escapeCell(f.fixedVersion) : 'no fix',
            last,
        ];
        lines.push(`| ${cells.join(' | ')} |`);
    }
    if (rows.length > maxRows)
        lines.push('', `…and ${rows.length - maxRows} more.`);
    return lines.join('\n');
}
/** One sentence about a package's promotion. */
function promotionSentence(p) {
    const where = p.destination ? ` ${code(p.destination)}` : '';
    const tags = p.tags?.length ? ` with tags ${p.tags.map(code).join(', ')}` : '';
    const link = p.url ? ` ([view](${p.url}))` : '';
    const detail = p.detail ? `: ${p.detail}` : '';
    switch (p.status) {
        case 'promoted':
            return `${p.mode === 'move' ? 'Moved' : 'Copied'} to${where}${tags}${link}.`;
        case 'unchanged':
            return `Already in${where}${tags}; nothing changed${link}.`;
        case 'not-promoted':
            return `Not promoted${detail || ' because the gate failed'}.`;
        case 'quarantined':
            return `Quarantined${p.detail ? ` (${p.detail})` : ''}.`;
        case 'failed':
            return `Promotion failed${detail}.`;
    }
}
/** The promotion outcome reported for a package, if any. */
function promotionFor(pkg, promotions) {
    return promotions?.find((p) => p.name === pkg.name && p.version === pkg.version);
}

;// CONCATENATED MODULE: ./src/report/coverage.ts


/** What reports say when the repository sent no coverage (Cloudsmith does not). */
const NOT_REPORTED = 'coverage not reported by the repository';
/** Listed inline before the rest go to the table of components not evaluated. */
const INLINE_COMPONENTS = 3;
function num(n) {
    return n.toLocaleString('en-US');
}
/**
 * `4,210 of 4,212 components evaluated; 2 not: 'foo' 2.0.0-final (…), …`, or what stands in for
 * it when the repository did not report coverage or the scan did not finish. Plain text.
 */
function coverageText(coverage) {
    if (!coverage || coverage.status === 'not-reported')
        return NOT_REPORTED;
    if (coverage.status === 'not-scanned' || coverage.evaluated === null || coverage.notEvaluated === null) {
        return 'not scanned to the end';
    }
    const total = coverage.evaluated + coverage.notEvaluated;
    const head = `${num(coverage.evaluated)} of ${num(total)} component${total === 1 ? '' : 's'} evaluated`;
    if (coverage.notEvaluated === 0)
        return coverage.limitReached ? `${head}; scan limit reached` : head;
    const listed = coverage.notEvaluatedComponents.slice(0, INLINE_COMPONENTS).map(describeComponent);
    const more = coverage.notEvaluated - listed.length;
    const tail = listed.length ? `: ${listed.join(', ')}${more > 0 ? `, and ${num(more)} more` : ''}` : '';
    const limit = coverage.limitReached ? ` (the scan stopped at its limit of ${coverage.limitReached})` : '';
    return `${head}; ${num(coverage.notEvaluated)} not${tail}${limit}`;
}
/** One ecosystem's advisory data: `npm 2 days old (3,412 advisories)`, `PyPI never loaded`. */
function ecosystemText(e, maxAgeSec) {
    const advisories = `${num(e.advisories)} advisor${e.advisories === 1 ? 'y' : 'ies'}`;
    switch (e.freshness) {
        case 'never-loaded':
            return `${e.ecosystem} advisory data never loaded`;
        case 'stale':
            return `${e.ecosystem} ${describeAge(e.ageSec ?? 0)} old, over max-advisory-age ${formatDuration(maxAgeSec)} (${advisories})`;
        default:
            return `${e.ecosystem} ${e.ageSec === null ? 'age unknown' : `${describeAge(e.ageSec)} old`} (${advisories})`;
    }
}
/** The ecosystems the package needs, with the age of their advisory data; empty when none are known. */
function advisoryAgesText(coverage, maxAgeSec) {
    const needed = (coverage?.ecosystems ?? []).filter((e) => e.freshness !== 'not-needed');
    return needed.map((e) => ecosystemText(e, maxAgeSec)).join('; ');
}
/** Over every package: `4,210 of 4,212 components evaluated`, or that no repository reported it. */
function coverageSentence(verdict) {
    const c = verdict.coverage;
    if (!c || c.reported === 0)
        return NOT_REPORTED;
    const total = c.evaluated + c.notEvaluated;
    const some = c.reported < verdict.packages.length ? ` (in ${c.reported} of ${verdict.packages.length} packages)` : '';
    return `${num(c.evaluated)} of ${num(total)} component${total === 1 ? '' : 's'} evaluated${some}`;
}
/** The markdown lines of a package's coverage and advisory data ages, for summaries and check runs. */
function coverageLines(pkg, maxAgeSec) {
    const coverage = pkg.coverage;
    if (coverage?.status === 'not-scanned')
        return [];
    const mark = coverage?.status === 'incomplete' ? '⚠️ ' : '';
    const lines = [`**Coverage:** ${mark}${escapeCell(coverageText(coverage))}`];
    const ages = coverage?.ecosystems
        .filter((e) => e.freshness !== 'not-needed')
        .map((e) => `${e.freshness === 'stale' || e.freshness === 'never-loaded' ? '⚠️ ' : ''}${escapeCell(ecosystemText(e, maxAgeSec))}`);
    if (ages?.length)
        lines.push(`**Advisory data:** ${ages.join(' · ')}`);
    return lines;
}
/** A table of the components the scan did not evaluate, or empty when there are none listed. */
function notEvaluatedTable(pkg, maxRows) {
    const listed = pkg.coverage?.notEvaluatedComponents ?? [];
    if (!listed.length)
        return '';
    const rows = listed.slice(0, maxRows).map((c) => {
        const where = c.location ? code(`${c.location.path}${c.location.line ? `:${c.location.line}` : ''}`) : '';
        return `| ${escapeCell(c.ecosystem)} | ${escapeCell(c.name)} | ${escapeCell(c.version)} | ${escapeCell(c.detail || c.reason)} | ${where} |`;
    });
    const total = pkg.coverage?.notEvaluated ?? listed.length;
    if (total > rows.length)
        rows.push(`| …and ${num(total - rows.length)} more | | | | |`);
    return [
        `<details><summary>${num(total)} component${total === 1 ? '' : 's'} not evaluated</summary>`,
        '',
        '| Ecosystem | Component | Version | Why | Where |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
        '',
        '</details>',
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/report/sarif.ts



/** The SARIF schema the output declares. */
const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
// GitHub's bands for `security-severity`: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, below 4.0 low.
const BANDS = {
    critical: { min: 9.0, max: 10.0, fallback: 9.5 },
    high: { min: 7.0, max: 8.9, fallback: 8.0 },
    medium: { min: 4.0, max: 6.9, fallback: 5.5 },
    low: { min: 0.1, max: 3.9, fallback: 2.0 },
};
const LEVEL_ORDER = ['low', 'medium', 'high', 'critical'];
/** The level a finding is shown at: its own, or for unknown severity the level settings map it to (else low). */
function displayLevel(f, settings) {
    if (f.severity !== 'unknown')
        return f.severity;
    return settings.unknownSeverity === 'ignore' ? 'low' : settings.unknownSeverity;
}
/**
 * The `security-severity` of a finding: its CVSS score when that agrees with its level (so code
 * scanning shows the level the gate judged), otherwise the middle of the level's band.
 */
function securitySeverity(f, settings) {
    const band = BANDS[displayLevel(f, settings)];
    const score = f.cvssScore;
    if (score !== null && (f.severity === 'unknown' || (score >= band.min && score <= band.max)))
        return score;
    return band.fallback;
}
/** SARIF result level by severity: critical/high → error, medium → warning, low/unknown → note. */
function sarifLevel(level) {
    return level === 'critical' || level === 'high' ? 'error' : level === 'medium' ? 'warning' : 'note';
}
function ruleFor(id, findings, settings) {
    const first = findings[0];
    const score = Math.max(...findings.map((f) => securitySeverity(f, settings)));
    const level = findings
        .map((f) => displayLevel(f, settings))
        .sort((a, b) => LEVEL_ORDER.indexOf(b) - LEVEL_ORDER.indexOf(a))[0];
    const aliases = first.aliases.length ? `\nAliases: ${first.aliases.join(', ')}.` : '';
    const fixes = [...new Set(findings.map((f) => f.fixedVersion).filter((v) => !!v))];
    const fix = fixes.length
        ? `Upgrade ${first.component} to ${fixes.join(' or ')} or later.`
        : `No fixed version of ${first.component} is known.`;
    const refs = first.references.slice(0, 10);
    const description = first.description || first.title || id;
    return {
        id,
        name: id.replace(/[^A-Za-z0-9]/g, ''),
        shortDescription: { text: first.title || id },
        fullDescription: { text: description },
        ...(refs[0] ? { helpUri: refs[0] } : {}),
        help: {
            text: `${description}${aliases}\n${fix}${refs.length ? `\nReferences:\n${refs.join('\n')}` : ''}`,
            markdown: `**${severityLabel(level)}** ${first.title || id}${aliases}\n\n${fix}${refs.length ? `\n\n${refs.map((r) => `- ${r}`).join('\n')}` : ''}`,
        },
        defaultConfiguration: { level: sarifLevel(level) },
        properties: {
            'security-severity': score.toFixed(1),
            tags: ['security', 'vulnerability', level],
            precision: 'very-high',
        },
    };
}
/** The file a result points at: the finding's location, else the package file, else `name-version`. */
function locationUri(f, pkg) {
    const raw = f.location?.path ?? pkg.filename ?? `${pkg.name}-${pkg.version}`;
    return raw
        .replace(/^\.?\/+/, '')
        .split('/')
        .map(encodeURIComponent)
        .join('/');
}
function resultMessage(f, pkg) {
    const title = f.title ? `: ${f.title}` : '';
    const fix = f.fixedVersion ? ` Fixed in ${f.fixedVersion}.` : ' No fixed version is available.';
    const outcome = f.disposition === 'deciding'
        ? ' It fails the gate.'
        : f.disposition === 'allowlisted'
            ? ` Allowlisted${f.allowlistEntry?.reason ? `: ${f.allowlistEntry.reason}` : ''}.`
            : '';
    return `${f.component} ${f.installedVersion} in ${pkg.name} ${pkg.version} is affected by ${f.id} (${severityLabel(f.severity)})${title}.${fix}${outcome}`;
}
function resultFor(f, pkg, ruleIndex, settings) {
    const uri = locationUri(f, pkg);
    const fingerprint = (0,external_node_crypto_.createHash)('sha256')
        .update([pkg.name, f.id, f.component, f.installedVersion, uri].join('\n'))
        .digest('hex');
    return {
        ruleId: f.id,
        ruleIndex,
        level: sarifLevel(displayLevel(f, settings)),
        message: { text: resultMessage(f, pkg) },
        locations: [
            {
                physicalLocation: {
                    artifactLocation: { uri },
                    region: { startLine: f.location?.line ?? 1 },
                },
            },
        ],
        partialFingerprints: { 'airlockFinding/v1': fingerprint },
        ...(f.disposition === 'allowlisted'
            ? { suppressions: [{ kind: 'external', justification: f.allowlistEntry?.reason ?? 'Allowlisted.' }] }
            : {}),
        properties: {
            component: f.component,
            installedVersion: f.installedVersion,
            fixedVersion: f.fixedVersion,
            disposition: f.disposition,
        },
    };
}
/** The package's coverage as run properties: the counts, the text reports show, each ecosystem's data age. */
function coverageProperties(pkg, settings) {
    const c = pkg.coverage;
    return {
        status: c?.status ?? 'not-reported',
        summary: coverageText(c),
        evaluated: c?.evaluated ?? null,
        notEvaluated: c?.notEvaluated ?? null,
        limitReached: c?.limitReached ?? null,
        advisoryData: advisoryAgesText(c, settings.maxAdvisoryAgeSec),
        ecosystems: (c?.ecosystems ?? []).map((e) => ({
            ecosystem: e.ecosystem,
            components: e.components,
            evaluated: e.evaluated,
            advisories: e.advisories,
            advisoriesUpdatedAt: e.advisoriesUpdatedAt,
            ageSeconds: e.ageSec,
            freshness: e.freshness,
        })),
    };
}
/**
 * An incomplete scan as invocation notifications, one per problem: code scanning shows them as
 * the tool's own messages, where a result per problem would invent rules and file locations.
 */
function coverageInvocation(pkg, settings) {
    const problems = pkg.coverage?.problems ?? [];
    if (!problems.length)
        return [];
    const level = settings.onIncomplete === 'fail' ? 'error' : 'warning';
    return [
        {
            executionSuccessful: true,
            toolExecutionNotifications: problems.map((p) => ({
                level,
                message: { text: `${pkg.name} ${pkg.version}: ${p}.` },
                descriptor: { id: 'airlock/incomplete-scan' },
            })),
        },
    ];
}
function runId(category, pkg, duplicateName) {
    const slug = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
    return `${category}/${slug(pkg.name)}${duplicateName ? `-${slug(pkg.version)}` : ''}/`;
}
/**
 * The verdict as SARIF 2.1.0 for code scanning (`github/codeql-action/upload-sarif`): one run per
 * package with its own `automationDetails.id`, tool driver `Airlock`, one rule per advisory id
 * (with help text and `security-severity`), one result per finding at its file. Each run's
 * properties carry the scan's coverage and advisory data ages; an incomplete scan adds an
 * invocation with a notification per problem.
 */
function buildSarif(verdict, options = {}) {
    const category = (options.category ?? 'airlock').replace(/\/+$/, '');
    const names = verdict.packages.map((p) => p.name);
    const runs = verdict.packages.map((pkg) => {
        const byId = new Map();
        for (const f of pkg.findings)
            byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
        const ids = [...byId.keys()];
        const rules = ids.map((id) => ruleFor(id, byId.get(id), verdict.settings));
        const results = pkg.findings.map((f) => resultFor(f, pkg, ids.indexOf(f.id), verdict.settings));
        const invocations = coverageInvocation(pkg, verdict.settings);
        return {
            tool: {
                driver: {
                    name: 'Airlock',
                    ...(options.toolVersion
                        ? { version: options.toolVersion, semanticVersion: options.toolVersion }
                        : {}),
                    ...(options.informationUri ? { informationUri: options.informationUri } : {}),
                    rules,
                },
            },
            automationDetails: { id: runId(category, pkg, names.filter((n) => n === pkg.name).length > 1) },
            ...(invocations.length ? { invocations } : {}),
            results,
            properties: {
                package: pkg.name,
                version: pkg.version,
                format: pkg.format,
                result: pkg.result,
                scanStatus: pkg.scanStatus,
                coverage: coverageProperties(pkg, verdict.settings),
            },
        };
    });
    return { $schema: SARIF_SCHEMA, version: '2.1.0', runs };
}

;// CONCATENATED MODULE: ./src/steps/types.ts

/** The {@link PushedPackage} view of a package the repository returned. */
function toPushedPackage(pkg) {
    return {
        slug_perm: pkg.slug_perm,
        name: pkg.name,
        version: pkg.version ?? '',
        format: pkg.format,
        filename: pkg.filename,
        url: packageUrl(pkg),
    };
}
/** The best link to a package: its web page when the repository has one, else its API URL. */
function packageUrl(pkg) {
    return pkg.self_html_url || pkg.self_webapp_url || pkg.self_url;
}
/**
 * `name version` (or just the name), for log lines; control characters show as `\u{…}`, so a
 * hostile name can neither colour a terminal nor start a workflow command on a line of its own.
 */
function describePushed(pkg) {
    return escapeControls(pkg.version ? `${pkg.name} ${pkg.version}` : pkg.name);
}

;// CONCATENATED MODULE: ./src/steps/wait.ts


/** Longest single long-poll: short enough that proxies keep the request open. */
const MAX_POLL_SEC = 30;
/** A long-poll that answers faster than this did not wait: pause before asking again. */
const MIN_POLL_MS = 1000;
/** Longest pause between two polls of a server that does not long-poll. */
const MAX_PAUSE_MS = 5000;
/** `security_scan_status` values that mean the scan is over, and what they mean for the gate. */
const FINISHED = {
    'Scan Detected Vulnerabilities': 'complete',
    'Scan Detected No Vulnerabilities': 'complete',
    'Security Scanning Failed': 'error',
    'Security Scanning Not Supported': 'not_supported',
    'Security Scanning Disabled': 'not_supported',
    'Security Scanning Skipped': 'not_supported',
};
/** The gate's view of a package's scan: finished (and how), or still pending (null). */
function scanOutcome(pkg) {
    if (pkg.is_sync_failed) {
        return {
            status: 'error',
            detail: `the package failed to synchronise: ${pkg.status_reason || pkg.status_str}`,
        };
    }
    const finished = FINISHED[pkg.security_scan_status];
    if (!finished)
        return null;
    return finished === 'error' ? { status: finished, detail: pkg.security_scan_status } : { status: finished };
}
async function waitForOne(runtime, client, item, options, deadline, deps) {
    const now = deps.now ?? Date.now;
    const sleep = deps.timing?.sleep ?? realSleep;
    const started = now();
    const label = describePushed(item);
    let pkg = await client.getPackage(options.owner, options.repo, item.slug_perm);
    let lastStatus = pkg.security_scan_status;
    let pause = MIN_POLL_MS;
    runtime.info(`Waiting for the scan of ${label} (${lastStatus}).`);
    for (;;) {
        const outcome = scanOutcome(pkg);
        if (outcome) {
            const waitedMs = now() - started;
            runtime.info(`Scan of ${label}: ${pkg.security_scan_status} (after ${(waitedMs / 1000).toFixed(1)} s).`);
            return {
                package: item,
                latest: pkg,
                ...outcome,
                securityScanStatus: pkg.security_scan_status,
                waitedMs,
            };
        }
        const left = deadline - now();
        if (left <= 0) {
            return {
                package: item,
                latest: pkg,
                status: 'timeout',
                securityScanStatus: pkg.security_scan_status,
                detail: `still "${pkg.security_scan_status}" after ${Math.round((now() - started) / 1000)} s`,
                waitedMs: now() - started,
            };
        }
        const asked = now();
        await client.getPackageStatus(options.owner, options.repo, item.slug_perm, {
            wait: Math.max(1, Math.min(MAX_POLL_SEC, Math.ceil(left / 1000))),
        });
        pkg = await client.getPackage(options.owner, options.repo, item.slug_perm);
        if (pkg.security_scan_status !== lastStatus && !scanOutcome(pkg)) {
            lastStatus = pkg.security_scan_status;
            runtime.info(`Scan of ${label}: ${lastStatus}.`);
        }
        // An answer that came at once with the scan still pending means the server does not long-poll.
        if (!scanOutcome(pkg) && now() - asked < MIN_POLL_MS) {
            await sleep(Math.min(pause, Math.max(0, deadline - now())));
            pause = Math.min(MAX_PAUSE_MS, pause * 2);
        }
    }
}
/**
 * Waits, all packages at once and bounded by `timeoutSec`, for the repository to finish
 * scanning them: long-polls `GET …/status/?wait=` (which answers early when the scan finishes)
 * and reads `security_scan_status`, pausing between polls of a server that answers at once.
 * A scan still running at the deadline ends as `timeout`; a failed scan or sync as `error`.
 */
async function waitForScans(runtime, client, packages, options, deps = {}) {
    const deadline = (deps.now ?? Date.now)() + options.timeoutSec * 1000;
    return Promise.all(packages.map((item) => waitForOne(runtime, client, item, options, deadline, deps)));
}

;// CONCATENATED MODULE: ./src/steps/gate.ts










/**
 * Reads the newest scan results of a finished scan. A clean scan is read too, for its coverage:
 * "no vulnerabilities" means nothing when nothing could be evaluated. A repository that keeps no
 * results for a clean scan (or does not report coverage) leaves the coverage unreported.
 */
async function readScan(client, options, scan) {
    const found = scan.securityScanStatus === 'Scan Detected Vulnerabilities';
    const id = scan.package.slug_perm;
    let detail;
    try {
        const list = await client.listVulnerabilities(options.owner, options.repo, id);
        const newest = list[0];
        if (!newest) {
            return found
                ? { findings: [], problem: 'the repository reports vulnerabilities but lists no scan results' }
                : { findings: [] };
        }
        detail = await client.getVulnerabilities(options.owner, options.repo, id, newest.identifier);
    }
    catch (err) {
        if (err instanceof errors/* ApiError */.hD && err.status === 404) {
            return found
                ? { findings: [], problem: `the scan results could not be read (${err.message})` }
                : { findings: [] };
        }
        throw err;
    }
    const findings = findingsFromScanResults(detail);
    try {
        const coverage = readCoverage('coverage' in detail ? detail.coverage : undefined);
        return { findings, ...(coverage ? { coverage } : {}) };
    }
    catch (err) {
        // A coverage report the gate cannot read must not pass as a complete scan.
        return { findings, problem: err instanceof Error ? err.message : String(err) };
    }
}
/**
 * A finding's file as a path in the project that was packed: an npm tarball keeps the project
 * under `package/`, an sdist under `<name>-<version>/`. Check-run annotations and SARIF point
 * at the repository, where that prefix does not exist.
 */
function projectPath(format, filename, file) {
    if (format === 'npm')
        return file.replace(/^package\//, '');
    if (format === 'python' && /\.(tar\.gz|zip)$/i.test(filename))
        return file.replace(/^[^/]+-[^/]+\//, '');
    return file;
}
function inProject(findings, format, filename) {
    return findings.map((f) => f.location
        ? { ...f, location: { ...f.location, path: projectPath(format, filename, f.location.path) } }
        : f);
}
function inProjectCoverage(coverage, format, filename) {
    return {
        ...coverage,
        notEvaluatedComponents: coverage.notEvaluatedComponents.map((c) => c.location
            ? { ...c, location: { ...c.location, path: projectPath(format, filename, c.location.path) } }
            : c),
    };
}
async function toPackageScan(client, options, scan) {
    const pkg = scan.latest;
    const item = scan.package;
    const base = {
        name: pkg?.name ?? item.name,
        version: pkg?.version ?? item.version,
        format: pkg?.format ?? item.format,
        filename: pkg?.filename ?? item.filename,
        url: item.url || pkg?.self_url || '',
        license: pkg ? (pkg.spdx_license ?? pkg.license ?? pkg.raw_license) : null,
    };
    if (scan.status !== 'complete') {
        return {
            ...base,
            scanStatus: scan.status,
            ...(scan.detail ? { scanDetail: scan.detail } : {}),
            findings: [],
        };
    }
    const { findings, coverage, problem } = await readScan(client, options, scan);
    if (problem)
        return { ...base, scanStatus: 'error', scanDetail: problem, findings };
    return {
        ...base,
        scanStatus: 'complete',
        findings: inProject(findings, base.format, base.filename),
        ...(coverage ? { coverage: inProjectCoverage(coverage, base.format, base.filename) } : {}),
    };
}
/** Writes the findings and SARIF files into a fresh folder under `dir`. */
function writeFiles(dir, report, verdict) {
    external_node_fs_default().mkdirSync(dir, { recursive: true });
    const folder = external_node_fs_default().mkdtempSync(external_node_path_default().join(dir, 'airlock-gate-'));
    const findingsPath = external_node_path_default().join(folder, 'findings.json');
    const sarifPath = external_node_path_default().join(folder, 'airlock.sarif');
    external_node_fs_default().writeFileSync(findingsPath, `${JSON.stringify(report, null, 2)}\n`);
    external_node_fs_default().writeFileSync(sarifPath, `${JSON.stringify(buildSarif(verdict, { category: 'airlock' }), null, 2)}\n`);
    return { findingsPath, sarifPath };
}
/**
 * The `gate` step: waits (bounded) for the repository's scans, reads the newest scan results of
 * each package (findings and, where the repository reports it, coverage), and judges them with
 * the gate's rules — everything found is reported, only the thresholds and an incomplete scan
 * decide. Sets `components-evaluated`/`-not-evaluated` (empty without coverage). Writes the findings (JSON) and SARIF files, sets the outputs and exports
 * the result and the findings file for a later promote step. Reporting is the report step's.
 */
async function runGate(runtime, client, options, deps = {}) {
    const now = deps.now ?? Date.now;
    const scans = await waitForScans(runtime, client, options.packages, { owner: options.owner, repo: options.repo, timeoutSec: options.waitTimeoutSec }, deps);
    const packageScans = await Promise.all(scans.map((scan) => toPackageScan(client, options, scan)));
    const verdict = evaluateGate(packageScans, options.rules, new Date(now()));
    const report = {
        ...verdict,
        packages: verdict.packages.map((p, i) => ({ slug_perm: options.packages[i].slug_perm, ...p })),
    };
    const { findingsPath, sarifPath } = writeFiles(options.outputDir, report, verdict);
    const t = verdict.totals;
    runtime.setOutput(names/* GateOutput */.lf.Result, verdict.result);
    runtime.setOutput(names/* GateOutput */.lf.Critical, String(t.critical));
    runtime.setOutput(names/* GateOutput */.lf.High, String(t.high));
    runtime.setOutput(names/* GateOutput */.lf.Medium, String(t.medium));
    runtime.setOutput(names/* GateOutput */.lf.Low, String(t.low));
    runtime.setOutput(names/* GateOutput */.lf.Unknown, String(t.unknown));
    runtime.setOutput(names/* GateOutput */.lf.Findings, findingsPath);
    runtime.setOutput(names/* GateOutput */.lf.Sarif, sarifPath);
    // Empty when no package's repository reported coverage: zero would claim a count nobody made.
    const coverage = verdict.coverage;
    const reported = coverage !== undefined && coverage.reported > 0;
    runtime.setOutput(names/* GateOutput */.lf.ComponentsEvaluated, reported ? String(coverage.evaluated) : '');
    runtime.setOutput(names/* GateOutput */.lf.ComponentsNotEvaluated, reported ? String(coverage.notEvaluated) : '');
    runtime.exportVariable(names/* StepEnv */.iT.GateResult, verdict.result);
    runtime.exportVariable(names/* StepEnv */.iT.GateFindings, findingsPath);
    runtime.info(`Gate ${verdict.result === 'pass' ? 'passed' : 'failed'}: ${t.critical} critical, ${t.high} high, ${t.medium} medium, ${t.low} low, ${t.unknown} unknown; ${coverageSentence(verdict)}.\n` +
        verdict.reasons.map((r) => `  ${r}`).join('\n'));
    for (const note of verdict.notes)
        runtime.warning(note);
    return { verdict, report, scans, findingsPath, sarifPath };
}
/** The message a failed gate ends the step with. */
function gateFailureMessage(verdict) {
    return `The gate failed: ${verdict.reasons.join(' ')}`;
}
/**
 * Reads the findings file an earlier gate step wrote (its path is exported for later steps);
 * throws naming the file when it is not one.
 */
function readGateReport(file) {
    let parsed;
    try {
        parsed = JSON.parse(external_node_fs_default().readFileSync(file, 'utf8'));
    }
    catch (err) {
        throw new Error(`Cannot read the gate's findings file ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const report = parsed;
    if (!report || (report.result !== 'pass' && report.result !== 'fail') || !Array.isArray(report.packages)) {
        throw new Error(`${file} is not a findings file written by the gate step.`);
    }
    return report;
}
/** The ids of the packages a gate report failed. */
function failedPackages(report) {
    return new Set(report.packages.filter((p) => p.result === 'fail').map((p) => p.slug_perm));
}

;// CONCATENATED MODULE: ./src/steps/promote.ts






/** The error code with which the repository refuses a package its promotion rules do not admit. */
const PROMOTION_REFUSED_CODE = 'promotion_rule_failed';
/** True when the repository refused a copy or move because of the destination's promotion rules. */
function isPromotionRefusal(err) {
    return err instanceof errors/* ApiError */.hD && err.code === PROMOTION_REFUSED_CODE;
}
/**
 * The verdict after a promotion refusal: failed, with the refusals among its reasons and on each
 * refused package, so that the summary, the check run and the step's result say why.
 */
function failVerdictForRefusals(verdict, refused, refusals) {
    if (refusals.length === 0)
        return verdict;
    return {
        ...verdict,
        result: 'fail',
        reasons: [...verdict.reasons, ...refusals],
        packages: verdict.packages.map((p) => {
            const mine = refused.find((r) => r.name === p.name && r.version === p.version);
            return mine?.detail ? { ...p, result: 'fail', reasons: [...p.reasons, mine.detail] } : p;
        }),
    };
}
function promote_enc(segment) {
    return encodeURIComponent(segment);
}
/**
 * Checks that the destination repository exists (and the credential can see it); throws a
 * message naming the `destination` input and the repositories that can be seen otherwise.
 */
async function checkDestination(client, owner, destination) {
    try {
        await client.transport.call({ method: 'GET', path: `/repos/${promote_enc(owner)}/${promote_enc(destination)}/` });
    }
    catch (err) {
        if (!(err instanceof errors/* ApiError */.hD) || err.status !== 404)
            throw err;
        let known = '';
        try {
            const { data } = await client.transport.call({
                method: 'GET',
                path: `/repos/${promote_enc(owner)}/`,
                query: { page_size: 100 },
            });
            const slugs = (data ?? []).map((r) => r.slug).filter((s) => !!s);
            if (slugs.length)
                known = ` Repositories this credential can see in ${owner}: ${slugs.join(', ')}.`;
        }
        catch {
            known = '';
        }
        throw new Error(`Input ${names/* PromoteInput */.hU.Destination}: repository '${owner}/${destination}' does not exist, or this credential cannot see it; give the slug of an existing repository in ${owner}.${known}`, { cause: err });
    }
}
function allTags(pkg) {
    const tags = new Set();
    for (const group of [pkg.tags, pkg.tags_immutable, pkg.tags_automatic]) {
        for (const list of Object.values(group ?? {}))
            for (const t of list)
                tags.add(t);
    }
    return tags;
}
/** The package's copy (or the moved package) in the destination, when it is already there. */
async function findInDestination(client, options, item, source) {
    if (options.mode === 'move') {
        try {
            return await client.getPackage(options.owner, options.destination, item.slug_perm);
        }
        catch (err) {
            if (err instanceof errors/* ApiError */.hD && err.status === 404)
                return undefined;
            throw err;
        }
    }
    const original = await source();
    const page = await client.listPackages(options.owner, options.destination, {
        query: `checksum:${original.checksum_sha256}`,
        pageSize: 100,
    });
    return page.items.find((p) => p.checksum_sha256 === original.checksum_sha256 &&
        p.format === original.format &&
        p.name === original.name &&
        p.version === original.version);
}
/** Adds the tags the package lacks (none when it has them all); returns the package as it now is. */
async function ensureTags(client, options, pkg) {
    const present = allTags(pkg);
    const missing = options.tags.filter((t) => !present.has(t));
    if (missing.length === 0)
        return pkg;
    return client.tagPackage(options.owner, options.destination, pkg.slug_perm, {
        action: 'Add',
        tags: missing,
    });
}
/** Waits until the package is fully synchronised in the destination; throws on failure or at the deadline. */
async function waitSynced(client, options, pkg, deadline, deps) {
    const now = deps.now ?? Date.now;
    const sleep = deps.timing?.sleep ?? realSleep;
    let state = pkg;
    let pause = 500;
    for (;;) {
        if (state.is_sync_completed)
            return;
        if (state.is_sync_failed) {
            throw new Error(`${options.owner}/${options.destination}/${pkg.slug} failed to synchronise: ${state.status_reason || state.stage_str}.`);
        }
        if (now() >= deadline) {
            throw new Error(`${options.owner}/${options.destination}/${pkg.slug} was not fully synchronised within ${options.waitTimeoutSec} s (stage: ${state.stage_str}); raise ${names/* PromoteInput */.hU.WaitTimeout}.`);
        }
        await sleep(Math.min(pause, Math.max(0, deadline - now())));
        pause = Math.min(5000, pause * 2);
        state = await client.getPackageStatus(options.owner, options.destination, pkg.slug_perm);
    }
}
async function promoteOne(runtime, client, options, item, deps) {
    const now = deps.now ?? Date.now;
    const deadline = now() + options.waitTimeoutSec * 1000;
    const from = `${options.owner}/${options.repo}`;
    const to = `${options.owner}/${options.destination}`;
    let original;
    const source = async () => (original ??= await client.getPackage(options.owner, options.repo, item.slug_perm));
    // A copy whose answer was lost (a reset connection) is found in the destination on the retry.
    let sent = false;
    let acted = false;
    let outcome;
    try {
        outcome = await retry(async () => {
            const existing = await findInDestination(client, options, item, source);
            let pkg;
            if (existing) {
                pkg = existing;
                acted = sent;
            }
            else {
                sent = true;
                pkg =
                    options.mode === 'copy'
                        ? await client.copyPackage(options.owner, options.repo, item.slug_perm, {
                            destination: options.destination,
                        })
                        : await client.movePackage(options.owner, options.repo, item.slug_perm, {
                            destination: options.destination,
                        });
                acted = true;
            }
            const before = allTags(pkg).size;
            pkg = await ensureTags(client, options, pkg);
            await waitSynced(client, options, pkg, deadline, deps);
            return { pkg, changed: acted || allTags(pkg).size !== before };
        }, {
            ...deps.timing,
            retries: options.retries,
            shouldRetry: (err) => (isTransientFailure(err) ? retryAfterOf(err) : false),
            onRetry: (notice) => runtime.info(describeRetry(`Promoting ${describePushed(item)} to ${to}`, notice)),
            ...(deps.now ? { now: deps.now } : {}),
        });
    }
    catch (err) {
        if (!isPromotionRefusal(err))
            throw err;
        // The sentence the report builds around `detail` ends it itself.
        const detail = `${to} refused it: ${err.detail.replace(/\.$/, '')}`;
        runtime.warning(`Not promoting ${describePushed(item)}: ${detail}`);
        return {
            slug_perm: item.slug_perm,
            name: item.name,
            version: item.version,
            status: 'not-promoted',
            mode: options.mode,
            destination: to,
            detail,
            refused: true,
            url: item.url,
        };
    }
    const { pkg, changed } = outcome;
    const verb = options.mode === 'copy' ? 'Copied' : 'Moved';
    runtime.info(acted
        ? `${verb} ${describePushed(item)} from ${from} to ${to} as ${pkg.slug} (${pkg.slug_perm}).`
        : changed
            ? `${describePushed(item)} is already in ${to} as ${pkg.slug} (${pkg.slug_perm}); added the missing tags.`
            : `${describePushed(item)} is already in ${to} as ${pkg.slug} (${pkg.slug_perm}) with its tags; nothing changed.`);
    return {
        slug_perm: item.slug_perm,
        destination_slug_perm: pkg.slug_perm,
        name: item.name,
        version: item.version,
        status: changed ? 'promoted' : 'unchanged',
        mode: options.mode,
        destination: to,
        tags: options.tags,
        url: packageUrl(pkg),
    };
}
/** Quarantines a package unless it already is; safe to repeat after a transient failure. */
async function quarantineOne(runtime, client, options, item, deps) {
    const where = `${options.owner}/${options.repo}`;
    const already = await retry(async () => {
        const pkg = await client.getPackage(options.owner, options.repo, item.slug_perm);
        if (pkg.is_quarantined)
            return true;
        await client.quarantinePackage(options.owner, options.repo, item.slug_perm);
        return false;
    }, {
        ...deps.timing,
        retries: options.retries,
        shouldRetry: (err) => (isTransientFailure(err) ? retryAfterOf(err) : false),
        onRetry: (notice) => runtime.info(describeRetry(`Quarantining ${describePushed(item)}`, notice)),
        ...(deps.now ? { now: deps.now } : {}),
    });
    runtime.info(already
        ? `${describePushed(item)} in ${where} is already quarantined.`
        : `Quarantined ${describePushed(item)} in ${where}: it failed the gate.`);
    return {
        slug_perm: item.slug_perm,
        name: item.name,
        version: item.version,
        status: 'quarantined',
        detail: 'it failed the gate',
        url: item.url,
    };
}
/**
 * The `promote` step. On a passed gate: copies or moves each package to the destination, adds the
 * tags it lacks and waits until it is fully synchronised there. A package already in the
 * destination with the same sha256 counts as promoted and tags already present are not added
 * again, so re-running a job changes nothing. Copies and moves are retried after transient
 * failures only once the step has checked they did not happen. A package the destination's
 * promotion rules refuse is not promoted and is listed in `refusals` (the caller fails the gate
 * with them); the other packages are still promoted. On a failed gate nothing is promoted, and
 * with `quarantineOnFail` the packages that failed are quarantined.
 */
async function promotePackages(runtime, client, options, deps = {}) {
    const promotions = [];
    for (const item of options.packages) {
        if (options.gateResult === 'pass') {
            promotions.push(await promoteOne(runtime, client, options, item, deps));
            continue;
        }
        const failedItself = !options.failed || options.failed.has(item.slug_perm);
        if (options.quarantineOnFail && failedItself) {
            promotions.push(await quarantineOne(runtime, client, options, item, deps));
        }
        else {
            runtime.info(`Not promoting ${describePushed(item)}: the gate failed.`);
            promotions.push({
                slug_perm: item.slug_perm,
                name: item.name,
                version: item.version,
                status: 'not-promoted',
                detail: failedItself ? 'the gate failed' : 'the gate failed for another package',
                url: item.url,
            });
        }
    }
    runtime.setOutput(names/* PromoteOutput */.ad.Promoted, JSON.stringify(promotions));
    const refusals = promotions
        .filter((p) => p.refused)
        .map((p) => `${p.name} ${p.version} was not promoted: ${p.detail ?? 'refused'}.`);
    return { promotions, refusals };
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./node_modules/tar-stream/index.js
var tar_stream = __webpack_require__(6118);
// EXTERNAL MODULE: ./node_modules/yauzl/index.js
var yauzl = __webpack_require__(663);
;// CONCATENATED MODULE: ./src/steps/detect-format.ts





/** Entries looked at before an archive counts as raw: detection must stay cheap on big archives. */
const MAX_ENTRIES = 10_000;
/** `<dir>/PKG-INFO` at the top level of an archive: a Python sdist. */
const SDIST_METADATA = /^[^/]+\/PKG-INFO$/;
function classifyEntry(name) {
    const clean = name.replace(/^\.\//, '');
    if (clean === 'package/package.json')
        return 'npm';
    if (SDIST_METADATA.test(clean))
        return 'sdist';
    return null;
}
/** Reads the entry names of a gzipped tar until a telling one appears (or the budget runs out). */
async function scanTarGz(file) {
    const extract = tar_stream.extract();
    const source = external_node_fs_default().createReadStream(file);
    const gunzip = external_node_zlib_default().createGunzip();
    let seen = 0;
    let found = null;
    const done = new Promise((resolve) => {
        const finish = () => {
            source.destroy();
            gunzip.destroy();
            extract.destroy();
            resolve();
        };
        extract.on('entry', (header, stream, next) => {
            seen += 1;
            found = classifyEntry(header.name);
            if (found || seen >= MAX_ENTRIES) {
                stream.resume();
                finish();
                return;
            }
            stream.on('end', next);
            stream.resume();
        });
        extract.on('finish', finish);
        // An unreadable archive is simply not an npm tarball or sdist: it goes up as raw.
        source.on('error', finish);
        gunzip.on('error', finish);
        extract.on('error', finish);
    });
    source.pipe(gunzip).pipe(extract);
    await done;
    return found;
}
/** Reads the entry names of a zip's central directory (nothing is decompressed). */
function scanZip(file) {
    return new Promise((resolve) => {
        yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, zip) => {
            if (error || !zip)
                return resolve(null);
            let seen = 0;
            const stop = (found) => {
                zip.close();
                resolve(found);
            };
            zip.on('entry', (entry) => {
                seen += 1;
                const found = classifyEntry(entry.fileName);
                if (found === 'sdist')
                    return stop(found);
                if (seen >= MAX_ENTRIES)
                    return stop(null);
                zip.readEntry();
            });
            zip.on('end', () => resolve(null));
            zip.on('error', () => resolve(null));
            zip.readEntry();
        });
    });
}
/**
 * Detects how to upload a file: a `.tgz`/`.tar.gz` with `package/package.json` is an npm
 * tarball; a `.whl` is a wheel; a `.tar.gz` or `.zip` with `<name>-<version>/PKG-INFO` is a
 * Python sdist; anything else is raw (and needs a name and version).
 */
async function detectFormat(file) {
    const base = external_node_path_default().basename(file).toLowerCase();
    if (base.endsWith('.whl'))
        return { format: 'python', reason: 'a wheel' };
    if (base.endsWith('.tgz') || base.endsWith('.tar.gz')) {
        const found = await scanTarGz(file);
        if (found === 'npm')
            return { format: 'npm', reason: 'an npm tarball with package/package.json' };
        if (found === 'sdist')
            return { format: 'python', reason: 'a Python sdist with PKG-INFO' };
        return { format: 'raw', reason: 'a tar archive that is neither an npm tarball nor an sdist' };
    }
    if (base.endsWith('.zip')) {
        if ((await scanZip(file)) === 'sdist')
            return { format: 'python', reason: 'a Python sdist with PKG-INFO' };
        return { format: 'raw', reason: 'a zip archive that is not an sdist' };
    }
    return { format: 'raw', reason: 'not an npm tarball, wheel or sdist' };
}

// EXTERNAL MODULE: ./node_modules/@actions/glob/lib/glob.js + 17 modules
var glob = __webpack_require__(2377);
;// CONCATENATED MODULE: ./src/steps/find-files.ts


/** Lists the files a set of patterns matches (`!` patterns exclude), sorted, without directories. */
async function expand(patterns) {
    const globber = await glob/* create */.v(patterns.join('\n'), {
        matchDirectories: false,
        implicitDescendants: false,
    });
    return (await globber.glob()).sort();
}
/** Makes a pattern absolute against `cwd`, keeping a leading `!`. */
function find_files_anchor(pattern, cwd) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    const absolute = external_node_path_default().isAbsolute(body) ? body : external_node_path_default().join(cwd, body);
    return negated ? `!${absolute}` : absolute;
}
/**
 * Expands the `files` patterns with @actions/glob (the runner's glob syntax: `*`, `**`, `?`,
 * `[…]`, `!` to exclude), relative to `cwd`. Throws, naming the pattern, when a pattern matches
 * no file — a typo must not pass as "nothing to push" — or when all matches were excluded.
 */
const globFiles = async (patterns, cwd) => {
    const anchored = patterns.map((p) => find_files_anchor(p, cwd));
    for (const [i, pattern] of patterns.entries()) {
        if (pattern.startsWith('!'))
            continue;
        if ((await expand([anchored[i]])).length === 0) {
            throw new Error(`Input files: '${pattern}' matches no file (relative to ${cwd}); give one glob per line such as dist/*.tgz or build/**/*.whl, and check the build produced it.`);
        }
    }
    const files = await expand(anchored);
    if (files.length === 0) {
        throw new Error(`Input files: every file matched was excluded by a ! pattern (${patterns.join(', ')}); nothing to push.`);
    }
    return files;
};

;// CONCATENATED MODULE: ./src/steps/progress.ts
/** Bytes as a person reads them: `512 B`, `3.4 KiB`, `12.0 MiB`. */
function formatBytes(bytes) {
    if (bytes < 1024)
        return `${bytes} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return `${value.toFixed(1)} ${units[unit]}`;
}
/**
 * Progress of several uploads, printed as one line at most every `intervalMs` (measured on the
 * injected clock as bytes arrive), so a long upload shows it is alive without flooding the log.
 */
class ProgressBoard {
    print;
    intervalMs;
    now;
    files = new Map();
    last;
    constructor(print, intervalMs, now) {
        this.print = print;
        this.intervalMs = intervalMs;
        this.now = now;
        this.last = now();
    }
    /** Records bytes sent for one file; prints the board when the interval has passed. */
    update(progress) {
        this.files.set(progress.filename, progress);
        const at = this.now();
        if (at - this.last < this.intervalMs)
            return;
        this.last = at;
        this.print(this.line());
    }
    /** Forgets a finished file, so the board shows only what is still moving. */
    finish(filename) {
        this.files.delete(filename);
    }
    /** `Uploading: a.tgz 5.0 MiB of 20.0 MiB (25%); b.whl …` */
    line() {
        const parts = [...this.files.values()].map((p) => {
            const percent = p.totalBytes > 0 ? Math.floor((p.sentBytes / p.totalBytes) * 100) : 100;
            return `${p.filename} ${formatBytes(p.sentBytes)} of ${formatBytes(p.totalBytes)} (${percent}%)`;
        });
        return `Uploading: ${parts.join('; ')}`;
    }
}
/** Runs `task` over `items` with at most `limit` at a time; results keep the items' order. */
async function mapConcurrently(items, limit, task) {
    const results = new Array(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const index = next++;
            try {
                results[index] = await task(items[index], index);
            }
            catch (err) {
                // Stop starting new work; the uploads already running finish or fail on their own.
                failed = true;
                throw err;
            }
        }
    };
    // Every worker is awaited, so nothing is still uploading when the first failure is reported.
    const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    const rejected = settled.find((s) => s.status === 'rejected');
    if (rejected)
        throw rejected.reason;
    return results;
}

;// CONCATENATED MODULE: ./src/steps/push.ts










/**
 * Detects each file's format and hashes it, `parallel` files at a time: the hash is read once
 * here, for the lookup of an identical package and the upload's declared checksum, and the
 * upload reads the file only to send it. The bound keeps memory and open files in step with the
 * uploads however many files the patterns match.
 */
async function plan(options, files) {
    return mapConcurrently(files, options.parallel, async (file) => {
        const detected = options.format === 'auto'
            ? await detectFormat(file)
            : { format: options.format, reason: `format is ${options.format}` };
        const filename = external_node_path_default().basename(file);
        if (detected.format === 'raw' && (!options.name || !options.version)) {
            throw new Error(`Input ${!options.name ? names/* PushInput */.T6.Name : names/* PushInput */.T6.Version} is required for ${filename}: it is ${detected.reason}, so it goes up as a raw package, which takes its name and version from the ${names/* PushInput */.T6.Name} and ${names/* PushInput */.T6.Version} inputs (or set ${names/* PushInput */.T6.Format} to npm or python).`);
        }
        const { sha256, size } = await hashFile(file);
        return { file, filename, format: detected.format, reason: detected.reason, sha256, size };
    });
}
/** A live package in the repository with exactly this content (and, for raw, this name and version). */
async function findSame(client, options, item) {
    const page = await client.listPackages(options.owner, options.repo, {
        query: `checksum:${item.sha256}`,
        pageSize: 100,
    });
    return page.items.find((p) => p.checksum_sha256 === item.sha256 &&
        p.format === item.format &&
        (item.format !== 'raw' || (p.name === options.name && p.version === options.version)));
}
function createBody(options, item, identifier) {
    return {
        package_file: identifier,
        ...(options.republish ? { republish: true } : {}),
        ...(options.tags.length ? { tags: options.tags } : {}),
        ...(item.format === 'raw' ? { name: options.name, version: options.version } : {}),
    };
}
/**
 * Uploads one file and creates its package. Creating is not idempotent, so a transient failure
 * (5xx, throttling, a reset connection) is retried only after checking that the package did not
 * get created after all; each retry uploads the file again into a fresh slot.
 */
async function pushOne(runtime, client, options, item, board, deps) {
    const where = `${options.owner}/${options.repo}`;
    const same = await findSame(client, options, item);
    if (same) {
        runtime.info(`${item.filename} is already in ${where} as ${same.slug} (${same.slug_perm}) with the same sha256; not uploaded again.`);
        if (same.is_quarantined)
            runtime.warning(`${where}/${same.slug} is quarantined.`);
        return { pkg: same, reused: true };
    }
    const pkg = await retry(async (attempt) => {
        if (attempt > 0) {
            const created = await findSame(client, options, item);
            if (created)
                return created;
        }
        const uploaded = await client.uploadFile(options.owner, options.repo, item.file, {
            hashed: { sha256: item.sha256, size: item.size },
            onProgress: (p) => board.update(p),
            ...(deps.multipartThreshold !== undefined ? { multipartThreshold: deps.multipartThreshold } : {}),
            ...(deps.partSize !== undefined ? { partSize: deps.partSize } : {}),
        });
        board.finish(item.filename);
        return client.createPackage(options.owner, options.repo, item.format, createBody(options, item, uploaded.identifier));
    }, {
        ...deps.timing,
        retries: options.connection.retries,
        shouldRetry: (err) => (isTransientFailure(err) ? retryAfterOf(err) : false),
        onRetry: (notice) => runtime.info(describeRetry(`Pushing ${item.filename}`, notice)),
        ...(deps.now ? { now: deps.now } : {}),
    });
    runtime.info(`Created ${where}/${pkg.slug} (${pkg.slug_perm}) from ${item.filename}.`);
    return { pkg, reused: false };
}
/**
 * The `push` step: expands the globs (a pattern that matches nothing fails, naming it), detects
 * each file's format, then uploads up to `parallel` files at once — streamed with their sha256,
 * large ones in parts, progress every few seconds — and creates the packages. A file whose exact
 * content is already in the repository is not uploaded again. Sets the `packages` output and
 * exports the packages, owner and repository for the gate and promote steps.
 */
async function pushPackages(runtime, client, options, deps = {}) {
    const files = await (deps.findFiles ?? globFiles)(options.files, deps.cwd ?? process.cwd());
    const planned = await plan(options, files);
    const total = planned.reduce((n, p) => n + p.size, 0);
    runtime.info(`Pushing ${planned.length} file${planned.length === 1 ? '' : 's'} (${formatBytes(total)}) to ${options.owner}/${options.repo}:\n` +
        planned.map((p) => `  ${p.filename}: ${p.format}, ${p.reason}; sha256 ${p.sha256}`).join('\n'));
    const board = new ProgressBoard((line) => runtime.info(line), deps.progressIntervalMs ?? 5000, deps.now ?? Date.now);
    const results = await mapConcurrently(planned, options.parallel, (item) => pushOne(runtime, client, options, item, board, deps));
    const packages = results.map((r) => toPushedPackage(r.pkg));
    const json = JSON.stringify(packages);
    runtime.setOutput(names/* PushOutput */.o5.Packages, json);
    runtime.exportVariable(names/* StepEnv */.iT.Packages, json);
    runtime.exportVariable(names/* StepEnv */.iT.Owner, options.owner);
    runtime.exportVariable(names/* StepEnv */.iT.Repo, options.repo);
    const reused = results.filter((r) => r.reused).length;
    return { packages, uploaded: results.length - reused, reused };
}

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
;// CONCATENATED MODULE: ./src/github/commit-status.ts
// GitHub rejects longer descriptions.
const DESCRIPTION_LIMIT = 140;
/** Sets a commit status; returns its URL. Throws the Octokit error when GitHub refuses. */
async function setCommitStatus(octokit, ctx, request) {
    const description = request.description.length > DESCRIPTION_LIMIT
        ? `${request.description.slice(0, DESCRIPTION_LIMIT - 1)}…`
        : request.description;
    const res = await octokit.rest.repos.createCommitStatus({
        owner: ctx.owner,
        repo: ctx.repo,
        sha: request.sha,
        state: request.state,
        context: request.context,
        description,
        ...(request.targetUrl ? { target_url: request.targetUrl } : {}),
    });
    return res.data.url;
}

;// CONCATENATED MODULE: ./src/github/context.ts
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * The pull request of a `pull_request`-like event (`pull_request`, `pull_request_target`,
 * reviews): its number and `pull_request.head.sha`. Null for any other event.
 */
function resolvePullRequest(ctx) {
    const pr = ctx.payload.pull_request;
    if (!isRecord(pr) || !isRecord(pr.head))
        return null;
    const number = pr.number;
    const headSha = pr.head.sha;
    if (typeof number !== 'number' || typeof headSha !== 'string' || !headSha)
        return null;
    return { number, headSha };
}
/** The commit reports belong on: the PR head for pull requests, else `GITHUB_SHA`. */
function resolveHeadSha(ctx) {
    return resolvePullRequest(ctx)?.headSha ?? ctx.sha;
}
/** The HTTP status of an Octokit request error, if the error carries one. */
function httpStatusOf(error) {
    // Octokit's RequestError class belongs to a transitive dependency; its `status` field is its contract.
    if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
        return error.status;
    }
    return undefined;
}
/** `403: message` — how reasons quote a refused request. */
function describeRequestError(error) {
    const status = httpStatusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    return status !== undefined ? `${status}: ${message}` : message;
}

;// CONCATENATED MODULE: ./src/github/check-runs.ts


/** The Checks API takes at most 50 annotations per request; later batches go in updates. */
const ANNOTATIONS_PER_REQUEST = 50;
function batches(items, size) {
    const out = [];
    for (let i = 0; i < items.length; i += size)
        out.push(items.slice(i, i + size));
    return out;
}
async function createWithAnnotations(octokit, ctx, sha, request) {
    const { conclusion, title, summary, text, annotations } = request.output;
    const [first = [], ...rest] = batches(annotations, ANNOTATIONS_PER_REQUEST);
    const created = await octokit.rest.checks.create({
        owner: ctx.owner,
        repo: ctx.repo,
        name: request.name,
        head_sha: sha,
        status: 'completed',
        conclusion,
        ...(request.detailsUrl ? { details_url: request.detailsUrl } : {}),
        output: { title, summary, text, annotations: first },
    });
    const id = created.data.id;
    for (const batch of rest) {
        // Annotations sent in an update are added to those already on the check run.
        await octokit.rest.checks.update({
            owner: ctx.owner,
            repo: ctx.repo,
            check_run_id: id,
            output: { title, summary, annotations: batch },
        });
    }
    return { kind: 'check-run', id, url: created.data.html_url ?? created.data.url, requests: 1 + rest.length };
}
/**
 * Publishes the gate's check run on the PR head commit (or `GITHUB_SHA` outside pull requests),
 * annotations 50 per request. When GitHub refuses check runs (403: a fork's pull request, or a
 * token without `checks: write`), sets a commit status of the same name instead and returns the
 * reason so the caller can log it. Other errors are thrown.
 */
async function createCheckRun(octokit, ctx, request) {
    const sha = resolveHeadSha(ctx);
    try {
        return await createWithAnnotations(octokit, ctx, sha, request);
    }
    catch (error) {
        if (httpStatusOf(error) !== 403)
            throw error;
        const refused = `GitHub refused to create the check run "${request.name}" (${describeRequestError(error)}); the token lacks checks: write, as on pull requests from forks`;
        try {
            const url = await setCommitStatus(octokit, ctx, {
                sha,
                state: request.output.conclusion === 'success' ? 'success' : 'failure',
                context: request.name,
                description: request.output.title,
                ...(request.detailsUrl ? { targetUrl: request.detailsUrl } : {}),
            });
            return { kind: 'commit-status', url, reason: `${refused}. A commit status was set instead.` };
        }
        catch (statusError) {
            if (httpStatusOf(statusError) !== 403)
                throw statusError;
            return {
                kind: 'none',
                reason: `${refused}, and the commit status was refused too (${describeRequestError(statusError)}). Grant checks: write or statuses: write to report on the commit.`,
            };
        }
    }
}

;// CONCATENATED MODULE: ./src/github/pr-comment.ts

async function findMarked(octokit, ctx, issueNumber, marker) {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
        owner: ctx.owner,
        repo: ctx.repo,
        issue_number: issueNumber,
        per_page: 100,
    });
    for await (const page of pages) {
        const found = page.data.find((c) => c.body?.includes(marker));
        if (found)
            return found.id;
    }
    return undefined;
}
/**
 * Creates the job's comment on the run's pull request, or updates it in place when a comment
 * with the same marker exists (every page of comments is searched). Skipped, with the reason,
 * when the run is not for a pull request or the token may not comment (403, as on forks).
 */
async function upsertPrComment(octokit, ctx, request) {
    if (!request.body.includes(request.marker)) {
        throw new Error('The comment body must contain its marker, or the comment could not be found again.');
    }
    const pr = resolvePullRequest(ctx);
    if (!pr)
        return { action: 'skipped', reason: `the run is for a ${ctx.eventName} event, not a pull request` };
    try {
        const existing = await findMarked(octokit, ctx, pr.number, request.marker);
        if (existing !== undefined) {
            const res = await octokit.rest.issues.updateComment({
                owner: ctx.owner,
                repo: ctx.repo,
                comment_id: existing,
                body: request.body,
            });
            return { action: 'updated', id: res.data.id, url: res.data.html_url };
        }
        const res = await octokit.rest.issues.createComment({
            owner: ctx.owner,
            repo: ctx.repo,
            issue_number: pr.number,
            body: request.body,
        });
        return { action: 'created', id: res.data.id, url: res.data.html_url };
    }
    catch (error) {
        if (httpStatusOf(error) !== 403)
            throw error;
        return {
            action: 'skipped',
            reason: `GitHub refused the pull-request comment (${describeRequestError(error)}); the token lacks pull-requests: write, as on pull requests from forks`,
        };
    }
}

;// CONCATENATED MODULE: ./src/policy/verdict.ts
/** The findings that decided a package's failure. */
function decidingFindings(pkg) {
    return pkg.findings.filter((f) => f.disposition === 'deciding');
}

;// CONCATENATED MODULE: ./src/report/markdown.ts





const DEFAULT_TITLE = 'Airlock gate';
const DEFAULT_MAX_ROWS = 100;
/** A table with one row per package: result and counts by severity. */
function overviewTable(verdict) {
    const head = ['Package', 'Result', 'Critical', 'High', 'Medium', 'Low', 'Unknown'];
    const lines = [
        `| ${head.join(' | ')} |`,
        `| --- | --- | ${SEVERITIES_DESCENDING.map(() => '---:').join(' | ')} |`,
    ];
    for (const p of verdict.packages) {
        const name = p.url ? `[${escapeCell(packageLabel(p))}](${p.url})` : escapeCell(packageLabel(p));
        const counts = SEVERITIES_DESCENDING.map((s) => String(p.counts[s]));
        lines.push(`| ${name} | ${resultBadge(p.result)} | ${counts.join(' | ')} |`);
    }
    return lines.join('\n');
}
function licenseLine(pkg) {
    const l = pkg.license;
    if (l.status === 'not-checked')
        return l.declared ? `**License:** ${code(l.declared)}` : undefined;
    const read = l.interpreted ? ` (read as ${code(l.interpreted)})` : '';
    const declared = l.declared ? code(l.declared) : 'none declared';
    const verdict = {
        allowed: 'allowed',
        denied: `denied (${l.denied.join(', ')})`,
        unknown: 'unknown',
    }[l.status];
    return `**License:** ${declared}${read} — ${verdict}`;
}
/** The section of one package: counts, why it failed, coverage, deciding findings, allowlist effects, promotion, everything found. */
function packageSection(pkg, options = {}, heading = '###', maxAdvisoryAgeSec = 0) {
    const maxRows = options.maxFindingRows ?? DEFAULT_MAX_ROWS;
    const parts = [];
    const format = pkg.format ? ` (${escapeCell(pkg.format)})` : '';
    parts.push(`${heading} ${pkg.result === 'pass' ? '✅' : '❌'} ${escapeCell(packageLabel(pkg))}${format}`);
    const facts = [
        pkg.url ? `[package](${pkg.url})` : undefined,
        pkg.filename ? `file ${code(pkg.filename)}` : undefined,
        `scan: ${pkg.scanStatus.replace('_', ' ')}`,
    ].filter(Boolean);
    parts.push(facts.join(' · '));
    parts.push(countsTable(pkg.counts));
    if (pkg.reasons.length || pkg.notes.length) {
        parts.push([
            ...pkg.reasons.map((r) => `- ❌ ${escapeCell(r)}`),
            ...pkg.notes.map((n) => `- ⚠️ ${escapeCell(n)}`),
        ].join('\n'));
    }
    const coverage = coverageLines(pkg, maxAdvisoryAgeSec);
    if (coverage.length)
        parts.push(coverage.join('  \n'));
    const unevaluated = notEvaluatedTable(pkg, maxRows);
    if (unevaluated)
        parts.push(unevaluated);
    const deciding = decidingFindings(pkg);
    if (deciding.length) {
        parts.push(`**Findings that decided the verdict (${deciding.length})**`, findingsTable(deciding, maxRows, false));
    }
    const allowlisted = pkg.findings.filter((f) => f.disposition === 'allowlisted');
    if (allowlisted.length) {
        const rows = allowlisted.slice(0, maxRows).map((f) => {
            const entry = f.allowlistEntry;
            const reason = entry?.reason ? escapeCell(entry.reason) : '—';
            const expires = entry?.expires ? ` (until ${escapeCell(entry.expires)})` : '';
            return `| ${escapeCell(f.id)} | ${escapeCell(f.component)} | ${entry ? entry.index + 1 : '?'}${expires} | ${reason} |`;
        });
        if (allowlisted.length > maxRows)
            rows.push(`| …and ${allowlisted.length - maxRows} more | | | |`);
        parts.push(`**Allowlisted (${allowlisted.length})**`, ['| Advisory | Component | Entry | Reason |', '| --- | --- | --- | --- |', ...rows].join('\n'));
    }
    const license = licenseLine(pkg);
    if (license)
        parts.push(license);
    const promotion = promotionFor(pkg, options.promotions);
    if (promotion)
        parts.push(`**Promotion:** ${promotionSentence(promotion)}`);
    if (pkg.findings.length) {
        parts.push(`<details><summary>All ${pkg.findings.length} findings</summary>\n\n${findingsTable(pkg.findings, maxRows, true)}\n\n</details>`);
    }
    else if (pkg.scanStatus === 'complete') {
        // "No vulnerabilities" is only as good as what was looked at; say which it is.
        parts.push(pkg.coverage?.status === 'incomplete'
            ? 'No vulnerabilities found in the components that were evaluated; the scan was incomplete.'
            : 'No vulnerabilities found.');
    }
    return parts.join('\n\n');
}
/**
 * One line on what the scans covered, over every package: flagged when any was incomplete, so a
 * pass that rests on on-incomplete cannot be mistaken for a clean one.
 */
function coverageOverview(verdict) {
    const incomplete = verdict.coverage?.incomplete ?? 0;
    const flag = incomplete
        ? `⚠️ **incomplete** for ${incomplete} package${incomplete === 1 ? '' : 's'} — `
        : '';
    return `**Coverage:** ${flag}${escapeCell(coverageSentence(verdict))}.`;
}
/** How many findings the allowlist suppressed, then expired and stale entries as bullets; empty when it did nothing. */
function allowlistSection(verdict, label = '**Allowlist:** ') {
    const lines = [];
    for (const { entry, wouldHaveSuppressed } of verdict.allowlist.expired) {
        const effect = wouldHaveSuppressed ? `; it would have suppressed ${wouldHaveSuppressed}` : '';
        const reason = entry.reason ? ` — ${escapeCell(entry.reason)}` : '';
        lines.push(`- ⏰ Entry ${entry.index + 1} ${code(describeEntry(entry))} expired (${escapeCell(entry.expires ?? '')}) and was not applied${effect}${reason}`);
    }
    for (const entry of verdict.allowlist.stale) {
        lines.push(`- 🧹 Entry ${entry.index + 1} ${code(describeEntry(entry))} matched no finding and may be removed.`);
    }
    const suppressed = verdict.allowlist.suppressed.length;
    if (!lines.length && !suppressed)
        return '';
    const head = `${label}${suppressed} finding${suppressed === 1 ? '' : 's'} suppressed.`;
    return [head, ...(lines.length ? ['', ...lines] : [])].join('\n');
}
/** The links line, or empty. */
function linksLine(options) {
    return (options.links ?? []).map((l) => `[${escapeCell(l.label)}](${l.url})`).join(' · ');
}
/**
 * The job summary: the result and its reasons, then per package the severity counts, the
 * findings that decided the verdict with their fixed versions, allowlist effects, the license,
 * the promotion done and every finding; then expired and stale allowlist entries and links.
 */
function renderSummary(verdict, options = {}) {
    const title = options.title ?? DEFAULT_TITLE;
    const parts = [`## ${escapeCell(title)}: ${resultBadge(verdict.result)}`];
    parts.push(verdict.reasons.map((r) => `- ${escapeCell(r)}`).join('\n'));
    parts.push(coverageOverview(verdict));
    if (verdict.packages.length > 1)
        parts.push(overviewTable(verdict));
    const maxAge = verdict.settings.maxAdvisoryAgeSec;
    for (const pkg of verdict.packages)
        parts.push(packageSection(pkg, options, '###', maxAge));
    const allowlist = allowlistSection(verdict, '');
    if (allowlist)
        parts.push('### Allowlist', allowlist);
    const links = linksLine(options);
    if (links)
        parts.push(links);
    return parts.join('\n\n') + '\n';
}

;// CONCATENATED MODULE: ./src/report/truncate.ts
/** GitHub's limit on a comment body and on a check run's summary and text, in characters. */
const GITHUB_TEXT_LIMIT = 65_536;
const encoder = new TextEncoder();
/** UTF-8 size of a string: never less than its length in characters, so a safe measure for GitHub's limits. */
function utf8Length(text) {
    return encoder.encode(text).length;
}
/** The longest prefix of `text` whose UTF-8 size is at most `bytes`, cut on a character boundary. */
function prefixWithin(text, bytes) {
    const encoded = encoder.encode(text);
    if (encoded.length <= bytes)
        return text;
    let end = Math.max(0, bytes);
    // Step back over continuation bytes so no character is split.
    while (end > 0 && (encoded[end] & 0xc0) === 0x80)
        end -= 1;
    return new TextDecoder().decode(encoded.subarray(0, end));
}
/**
 * Cuts markdown to fit under a size limit: at a line boundary, closing any `<details>` left
 * open, and ending with a note saying it was cut. Text that fits is returned unchanged.
 */
function truncateMarkdown(text, options = {}) {
    const limit = options.limit ?? GITHUB_TEXT_LIMIT;
    if (utf8Length(text) < limit)
        return { text, truncated: false };
    const note = `\n\n---\n${options.note ?? 'This report was cut short to fit GitHub’s size limit.'}\n`;
    const closer = '\n</details>';
    // Room for the note and for closing every <details> the kept part may leave open.
    let budget = limit - 1 - utf8Length(note);
    let kept = '';
    for (let attempt = 0; attempt < 8 && budget > 0; attempt += 1) {
        kept = prefixWithin(text, budget);
        const lastBreak = kept.lastIndexOf('\n');
        if (lastBreak > 0)
            kept = kept.slice(0, lastBreak);
        const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
        const closing = open > 0 ? closer.repeat(open) : '';
        const result = kept + closing + note;
        if (utf8Length(result) < limit)
            return { text: result, truncated: true };
        budget -= utf8Length(closing);
    }
    return { text: prefixWithin(note.trim(), limit - 1), truncated: true };
}

;// CONCATENATED MODULE: ./src/report/check-run.ts




// The Checks API rejects longer annotation fields.
const ANNOTATION_MESSAGE_LIMIT = 64 * 1024;
const ANNOTATION_TITLE_LIMIT = 255;
function annotationFor(f, pkg, path) {
    const level = f.disposition === 'deciding'
        ? 'failure'
        : f.disposition === 'tolerated' && (f.severity === 'critical' || f.severity === 'high')
            ? 'warning'
            : 'notice';
    const fix = f.fixedVersion ? `Fixed in ${f.fixedVersion}.` : 'No fixed version is available.';
    const outcome = {
        deciding: 'This finding fails the gate.',
        tolerated: 'Within the gate’s limits.',
        allowlisted: `Allowlisted${f.allowlistEntry?.reason ? `: ${f.allowlistEntry.reason}` : ''}.`,
        unfixed: 'Ignored: no fix exists and ignore-unfixed is on.',
        ignored: 'Ignored: unknown severity.',
    }[f.disposition];
    const message = `${f.component} ${f.installedVersion} (in ${packageLabel(pkg)}) is affected by ${f.id}${f.title ? `: ${f.title}` : ''}. ${fix} ${outcome}`;
    return {
        path,
        start_line: f.location?.line ?? 1,
        end_line: f.location?.line ?? 1,
        annotation_level: level,
        title: `${f.id} (${severityLabel(f.severity)}) in ${f.component}`.slice(0, ANNOTATION_TITLE_LIMIT),
        message: message.slice(0, ANNOTATION_MESSAGE_LIMIT),
        ...(f.references.length
            ? { raw_details: f.references.join('\n').slice(0, ANNOTATION_MESSAGE_LIMIT) }
            : {}),
    };
}
/** A short title: the result and what was counted. */
function checkRunTitle(verdict) {
    const t = verdict.totals;
    const counts = ['critical', 'high', 'medium', 'low']
        .filter((s) => t[s] > 0)
        .map((s) => `${t[s]} ${s}`)
        .join(', ');
    const found = counts ? counts : 'no vulnerabilities';
    const incomplete = verdict.coverage?.incomplete ? ', scan incomplete' : '';
    return `${verdict.result === 'pass' ? 'Passed' : 'Failed'}: ${found}${incomplete}`;
}
/**
 * The check run's output: a title, a summary (reasons and counts), a text (every package's
 * details) and an annotation for each finding that has a file. Summary and text are cut to fit
 * GitHub's limit.
 */
function buildCheckRunOutput(verdict, options = {}) {
    const summary = [
        verdict.reasons.map((r) => `- ${r}`).join('\n'),
        coverageOverview(verdict),
        overviewTable(verdict),
        verdict.notes.length ? verdict.notes.map((n) => `- ⚠️ ${n}`).join('\n') : '',
        linksLine(options),
    ]
        .filter(Boolean)
        .join('\n\n');
    const maxAge = verdict.settings.maxAdvisoryAgeSec;
    const text = [
        ...verdict.packages.map((p) => packageSection(p, options, '###', maxAge)),
        allowlistSection(verdict),
    ]
        .filter(Boolean)
        .join('\n\n');
    const annotations = [];
    for (const pkg of verdict.packages) {
        for (const f of pkg.findings) {
            if (f.location?.path)
                annotations.push(annotationFor(f, pkg, f.location.path.replace(/^\.?\/+/, '')));
        }
    }
    const note = 'Cut short to fit GitHub’s size limit; the job summary has the full report.';
    return {
        conclusion: verdict.result === 'pass' ? 'success' : 'failure',
        title: checkRunTitle(verdict),
        summary: truncateMarkdown(summary, { limit: GITHUB_TEXT_LIMIT - 1, note }).text,
        text: truncateMarkdown(text, { limit: GITHUB_TEXT_LIMIT - 1, note }).text,
        annotations,
    };
}

// EXTERNAL MODULE: ./src/report/job-key.ts
var job_key = __webpack_require__(7203);
;// CONCATENATED MODULE: ./src/report/pr-comment.ts






// The job key lives apart so that reading the settings does not load the comment's renderer.

/**
 * The pull-request comment: the hidden marker first, then the result, reasons, a table of
 * packages, the findings that decided the verdict, promotion and allowlist effects. Cut at a line
 * boundary, with a note, to stay under GitHub's limit.
 */
function buildPrComment(verdict, options) {
    const marker = (0,job_key/* commentMarker */.Q)(options.jobKey);
    const title = options.title ?? 'Airlock gate';
    const maxRows = options.maxFindingRows ?? 50;
    const sha = options.sha ? ` for ${options.sha.slice(0, 7)}` : '';
    const parts = [`${marker}\n### ${escapeCell(title)}: ${resultBadge(verdict.result)}${sha}`];
    parts.push(verdict.reasons.map((r) => `- ${escapeCell(r)}`).join('\n'));
    parts.push(coverageOverview(verdict));
    if (verdict.packages.length)
        parts.push(overviewTable(verdict));
    for (const pkg of verdict.packages) {
        const deciding = decidingFindings(pkg);
        const promotion = promotionFor(pkg, options.promotions);
        const incomplete = pkg.coverage?.status === 'incomplete';
        if (!deciding.length && !promotion && !pkg.notes.length && !incomplete)
            continue;
        const section = [`#### ${escapeCell(packageLabel(pkg))}`];
        if (incomplete)
            section.push(coverageLines(pkg, verdict.settings.maxAdvisoryAgeSec).join('  \n'));
        if (deciding.length)
            section.push('Findings that decided the verdict:', findingsTable(deciding, maxRows, false));
        if (pkg.notes.length)
            section.push(pkg.notes.map((n) => `- ⚠️ ${escapeCell(n)}`).join('\n'));
        if (promotion)
            section.push(`**Promotion:** ${promotionSentence(promotion)}`);
        parts.push(section.join('\n\n'));
    }
    const allowlist = allowlistSection(verdict);
    if (allowlist)
        parts.push(allowlist);
    const links = linksLine(options);
    if (links)
        parts.push(links);
    const body = parts.join('\n\n') + '\n';
    const more = options.detailsUrl ? ` [The job summary](${options.detailsUrl}) has the full report.` : '';
    return truncateMarkdown(body, {
        limit: options.limit ?? GITHUB_TEXT_LIMIT,
        note: `This comment was cut short to stay under GitHub’s ${GITHUB_TEXT_LIMIT.toLocaleString('en-US')}-character limit.${more}`,
    }).text;
}

;// CONCATENATED MODULE: ./src/steps/report.ts









/** The check's name: the configured one, with the matrix values of a matrix job. */
function checkRunName(settings) {
    const values = Object.entries(settings.matrix ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, v]) => (typeof v === 'string' ? v : JSON.stringify(v)));
    return values.length ? `${settings.checkName} (${values.join(', ')})` : settings.checkName;
}
/** The job summary's section on promotions, for the promote step on its own. */
function promotionSummary(title, promotions) {
    const lines = promotions.map((p) => `- ${code(`${p.name} ${p.version}`.trim())}: ${promotionSentence(p)}`);
    return [`## ${title}: promotion`, lines.join('\n') || 'Nothing to promote.'].join('\n\n') + '\n';
}
async function publishCheckRun(runtime, octokit, settings, content, links) {
    const github = settings.github;
    const name = checkRunName(settings);
    try {
        const published = await createCheckRun(octokit, github.context, {
            name,
            output: buildCheckRunOutput(content.verdict, { promotions: content.promotions, links }),
            ...(github.context.runUrl ? { detailsUrl: github.context.runUrl } : {}),
        });
        if (published.kind === 'check-run')
            runtime.info(`Check run "${name}" published: ${published.url}`);
        else if (published.kind === 'commit-status')
            runtime.info(published.reason);
        else
            runtime.warning(published.reason);
        return published;
    }
    catch (err) {
        runtime.warning(`Could not publish the check run "${name}": ${(0,errors/* errorMessage */.gJ)(err)}`);
        return undefined;
    }
}
async function publishComment(runtime, octokit, settings, content, links) {
    const github = settings.github;
    const sha = resolveHeadSha(github.context);
    const body = buildPrComment(content.verdict, {
        jobKey: github.jobKey,
        title: settings.checkName,
        promotions: content.promotions,
        links,
        ...(sha ? { sha } : {}),
        ...(github.context.runUrl ? { detailsUrl: github.context.runUrl } : {}),
    });
    try {
        const outcome = await upsertPrComment(octokit, github.context, {
            body,
            marker: (0,job_key/* commentMarker */.Q)(github.jobKey),
        });
        runtime.info(outcome.action === 'skipped'
            ? `No pull-request comment: ${outcome.reason}.`
            : `Pull-request comment ${outcome.action}: ${outcome.url}`);
        return outcome;
    }
    catch (err) {
        runtime.warning(`Could not post the pull-request comment: ${(0,errors/* errorMessage */.gJ)(err)}`);
        return undefined;
    }
}
/**
 * The report step: writes the job summary, then on GitHub publishes the check run on the PR
 * head commit (a commit status when the token may not create check runs, with the reason in
 * the log) and creates or updates the job's one pull-request comment. Without a token it skips
 * GitHub with a notice. A GitHub failure is logged as a warning: it never hides the verdict.
 */
async function publishReport(runtime, settings, content, deps = {}) {
    const runUrl = settings.github?.context.runUrl;
    const links = runUrl ? [{ label: 'Workflow run', url: runUrl }] : [];
    const verdict = content.verdict;
    await runtime.summary(content.summary === 'full' && verdict
        ? renderSummary(verdict, { title: settings.checkName, promotions: content.promotions })
        : promotionSummary(settings.checkName, content.promotions ?? []));
    if (!verdict) {
        const skipped = "no gate verdict to report (the gate's findings file is not available)";
        runtime.debug(`No check run or pull-request comment: ${skipped}.`);
        return { skipped };
    }
    if (!settings.github) {
        const skipped = 'not running in GitHub Actions (GITHUB_REPOSITORY is not set)';
        runtime.debug(`No check run or pull-request comment: ${skipped}.`);
        return { skipped };
    }
    if (!settings.githubToken) {
        const skipped = 'the github-token input is empty';
        runtime.info(`Skipping the check run and the pull-request comment: ${skipped}.`);
        return { skipped };
    }
    if (!content.checkRun && !settings.comment)
        return { skipped: 'nothing to publish on GitHub' };
    const octokit = deps.octokit ?? (0,github/* getOctokit */.Q)(settings.githubToken, { baseUrl: settings.github.apiUrl });
    const result = {};
    const judged = { ...content, verdict };
    if (content.checkRun)
        result.checkRun = await publishCheckRun(runtime, octokit, settings, judged, links);
    if (settings.comment)
        result.comment = await publishComment(runtime, octokit, settings, judged, links);
    return result;
}

;// CONCATENATED MODULE: ./src/steps/pipeline.ts








async function establish(runtime, settings, deps) {
    if (!settings.auth)
        return { connection: settings.connection };
    const auth = await runtime.group('Authenticate', () => authenticate(runtime, settings.auth, deps));
    return {
        auth,
        connection: { apiUrl: settings.auth.apiUrl, apiKey: auth.token, retries: settings.auth.retries },
    };
}
/**
 * The whole gate in one step: auth → push → wait and gate → promote (or quarantine) → report.
 * The destination is checked before anything is pushed. A package the destination's promotion
 * rules refuse turns the verdict into a failed gate with the refusal as its reason (the `result`
 * output says `fail`). When promotion fails otherwise the report is
 * still published (with the failure) before the error ends the step. The caller fails the step
 * when the verdict is `fail`.
 */
async function runPipeline(runtime, settings, deps = {}) {
    const { connection, auth } = await establish(runtime, settings, deps);
    const client = connect(runtime, connection, deps);
    const { owner, repo } = settings.push;
    const { destination, mode, quarantineOnFail } = settings.promote;
    if (destination)
        await checkDestination(client, owner, destination);
    const push = await runtime.group('Push', () => pushPackages(runtime, client, { ...settings.push, connection }, deps));
    const gate = await runtime.group('Wait for the scans and judge', () => runGate(runtime, client, { owner, repo, packages: push.packages, ...settings.gate }, deps));
    const result = gate.verdict.result;
    let promotions;
    let promotionError;
    let refusals = [];
    if ((result === 'pass' && destination) || (result === 'fail' && (destination || quarantineOnFail))) {
        try {
            ({ promotions, refusals } = await runtime.group(result === 'pass' ? 'Promote' : 'Hold back', () => promotePackages(runtime, client, {
                owner,
                repo,
                destination,
                mode,
                tags: settings.push.tags,
                quarantineOnFail,
                waitTimeoutSec: settings.gate.waitTimeoutSec,
                packages: push.packages,
                gateResult: result,
                failed: failedPackages(gate.report),
                retries: connection.retries,
            }, deps)));
        }
        catch (err) {
            promotionError = err;
            promotions = push.packages.map((p) => ({
                slug_perm: p.slug_perm,
                name: p.name,
                version: p.version,
                status: 'failed',
                detail: (0,errors/* errorMessage */.gJ)(err),
            }));
        }
    }
    // A package the destination's promotion rules refuse fails the gate, with the refusal as reason.
    const verdict = failVerdictForRefusals(gate.verdict, (promotions ?? []).filter((p) => p.refused), refusals);
    if (verdict !== gate.verdict)
        runtime.setOutput(names/* GateOutput */.lf.Result, verdict.result);
    const report = await publishReport(runtime, settings.report, { verdict, promotions, summary: 'full', checkRun: true }, deps);
    if (promotionError !== undefined)
        throw promotionError;
    return {
        ...(auth ? { auth } : {}),
        push,
        gate: { ...gate, verdict },
        ...(promotions ? { promotions } : {}),
        report,
    };
}

;// CONCATENATED MODULE: ./src/steps/run.ts






/** The `push` action. */
async function runPushAction(runtime, settings, deps = {}) {
    const push = await pushPackages(runtime, connect(runtime, settings.connection, deps), settings, deps);
    return { result: { owner: settings.owner, repo: settings.repo, packages: push.packages, pushed: true } };
}
/** The `gate` action: wait, judge, report; a failed verdict fails the step. */
async function runGateAction(runtime, settings, deps = {}) {
    const gate = await runGate(runtime, connect(runtime, settings.connection, deps), settings, deps);
    await publishReport(runtime, settings.report, { verdict: gate.verdict, summary: 'full', checkRun: true }, deps);
    return {
        ...(gate.verdict.result === 'fail' ? { failure: gateFailureMessage(gate.verdict) } : {}),
        result: {
            owner: settings.owner,
            repo: settings.repo,
            packages: settings.packages,
            gate: { verdict: gate.verdict, findingsPath: gate.findingsPath, sarifPath: gate.sarifPath },
        },
    };
}
/**
 * The `promote` action: on a passed gate promotes (the destination is checked first), on a failed
 * one holds back and quarantines when asked; then summarises and, when the gate's findings file
 * is at hand, updates the job's pull-request comment with what was promoted. A package the
 * destination's promotion rules refuse fails the step as a failed gate, naming the rule.
 */
async function runPromoteAction(runtime, settings, deps = {}) {
    const client = connect(runtime, settings.connection, deps);
    const report = settings.gateFindings ? readGateReport(settings.gateFindings) : undefined;
    if (settings.gateResult === 'pass')
        await checkDestination(client, settings.owner, settings.destination);
    const { promotions, refusals } = await promotePackages(runtime, client, {
        ...settings,
        retries: settings.connection.retries,
        ...(report ? { failed: failedPackages(report) } : {}),
    }, deps);
    await publishReport(runtime, settings.report, { ...(report ? { verdict: report } : {}), promotions, summary: 'promotions', checkRun: false }, deps);
    // The destination refusing a package (its promotion rules) fails the gate, not the tooling.
    return {
        ...(refusals.length > 0 ? { failure: `The gate failed: ${refusals.join(' ')}` } : {}),
        result: { owner: settings.owner, repo: settings.repo, packages: settings.packages, promotions },
    };
}
/** The root action: the whole pipeline; a failed verdict fails the step. */
async function runPipelineAction(runtime, settings, deps = {}) {
    const run = await runPipeline(runtime, settings, deps);
    const { verdict, findingsPath, sarifPath } = run.gate;
    return {
        ...(verdict.result === 'fail' ? { failure: gateFailureMessage(verdict) } : {}),
        result: {
            owner: settings.push.owner,
            repo: settings.push.repo,
            packages: run.push.packages,
            pushed: true,
            gate: { verdict, findingsPath, sarifPath },
            ...(run.promotions ? { promotions: run.promotions } : {}),
        },
    };
}


/***/ })

};
;