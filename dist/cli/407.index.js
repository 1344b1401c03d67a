"use strict";
exports.id = 407;
exports.ids = [407];
exports.modules = {

/***/ 4064:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ RepositoryClient)
/* harmony export */ });
/* unused harmony export jwtExpiry */
/* harmony import */ var _http_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7915);
/* harmony import */ var _upload_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8390);


function enc(segment) {
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
        this.transport = new _http_js__WEBPACK_IMPORTED_MODULE_0__/* .Transport */ .oK(options);
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
            path: `/openid/${enc(org)}/`,
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
        return (0,_upload_js__WEBPACK_IMPORTED_MODULE_1__/* .uploadFile */ .QM)(this.transport, owner, repo, file, options);
    }
    /** `POST /packages/{owner}/{repo}/upload/{format}/` with `package_file` and the format's fields. */
    async createPackage(owner, repo, format, body) {
        const path = `/packages/${enc(owner)}/${enc(repo)}/upload/${enc(format)}/`;
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
            path: `/packages/${enc(owner)}/${enc(repo)}/`,
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
        const path = `/vulnerabilities/${enc(owner)}/${enc(repo)}/${enc(pkg)}/`;
        return (await this.transport.call({ method: 'GET', path })).data ?? [];
    }
    /** `GET /vulnerabilities/{owner}/{repo}/{package}/{identifier}/`: one scan with every finding. */
    async getVulnerabilities(owner, repo, pkg, identifier) {
        const path = `/vulnerabilities/${enc(owner)}/${enc(repo)}/${enc(pkg)}/${enc(identifier)}/`;
        return (await this.transport.call({ method: 'GET', path })).data;
    }
}
function packagePath(owner, repo, identifier) {
    return `/packages/${enc(owner)}/${enc(repo)}/${enc(identifier)}/`;
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


/***/ }),

/***/ 7915:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   PS: () => (/* binding */ isRetryableStatus),
/* harmony export */   oK: () => (/* binding */ Transport)
/* harmony export */ });
/* unused harmony export followRedirect */
/* harmony import */ var _actions_http_client__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4942);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6468);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7785);



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
            client = new _actions_http_client__WEBPACK_IMPORTED_MODULE_0__/* .HttpClient */ .Qq(this.options.userAgent ?? 'airlock', [], {
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
            return await (0,_retry_js__WEBPACK_IMPORTED_MODULE_2__/* .retry */ .L5)(async () => {
                attempts++;
                return this.attempt(call, url, path, attempts);
            }, {
                ...timing,
                retries: call.retries ?? this.options.retries ?? 3,
                shouldRetry: (error) => {
                    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ApiError */ .hD) {
                        if (!retryStatus(error.status))
                            return false;
                        if (!idempotent && error.status !== 429)
                            return false;
                        return { retryAfterMs: error.retryAfterMs };
                    }
                    const failure = (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .classifyNetworkError */ .LW)(error);
                    if (failure === 'not-sent' || (failure === 'maybe-sent' && idempotent))
                        return {};
                    return false;
                },
                onRetry: (notice) => this.options.onRetry?.({ ...notice, method: call.method, path }),
                now,
            });
        }
        catch (error) {
            if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ApiError */ .hD)
                throw error;
            const reason = (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeSendFailure */ .Cu)(error, url);
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
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ApiError */ .hD({
                method: call.method,
                path,
                status,
                ...(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .readErrorBody */ .Nk)(text, res.message.statusMessage ?? ''),
                attempts: attempt,
                retryAfterMs: (0,_retry_js__WEBPACK_IMPORTED_MODULE_2__/* .parseRetryAfter */ .mu)(res.message.headers['retry-after'], (this.options.now ?? Date.now)(), this.options.timing?.maxRetryAfterMs ?? _retry_js__WEBPACK_IMPORTED_MODULE_2__/* .DEFAULT_TIMING */ .ft.maxRetryAfterMs),
            });
        }
    }
    async send(method, url, call, withBody) {
        const headers = { accept: 'application/json', ...lower(call.headers) };
        if (new URL(url).origin === this.origin)
            Object.assign(headers, await this.credentialHeaders());
        let data = null;
        if (withBody && call.body) {
            data = call.body.open();
            headers['content-length'] = call.body.length;
            headers['content-type'] ??= call.body.contentType ?? 'application/octet-stream';
        }
        else if (withBody && call.json !== undefined) {
            data = JSON.stringify(call.json);
            headers['content-type'] = 'application/json';
        }
        else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
            data = '';
        }
        try {
            const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 60_000;
            return await this.httpClient(timeoutMs).request(method, url, data, headers);
        }
        finally {
            // A server may answer before reading the whole upload; stop reading the file then.
            if (data && typeof data !== 'string')
                data.destroy();
        }
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


/***/ }),

/***/ 8390:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DC: () => (/* binding */ hashFile),
/* harmony export */   QM: () => (/* binding */ uploadFile)
/* harmony export */ });
/* unused harmony exports DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_3__);




/** Files larger than this go up in parts by default (the official CLI's 100 MiB). */
const DEFAULT_MULTIPART_THRESHOLD = 100 * 1024 * 1024;
/** Part size of a multipart upload by default. */
const DEFAULT_PART_SIZE = 100 * 1024 * 1024;
/** sha256 and md5 of a file, read as a stream (never whole into memory). */
async function hashFile(file) {
    const sha256 = node_crypto__WEBPACK_IMPORTED_MODULE_0___default().createHash('sha256');
    const md5 = node_crypto__WEBPACK_IMPORTED_MODULE_0___default().createHash('md5');
    let size = 0;
    for await (const chunk of node_fs__WEBPACK_IMPORTED_MODULE_1___default().createReadStream(file)) {
        sha256.update(chunk);
        md5.update(chunk);
        size += chunk.length;
    }
    return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
}
function enc(segment) {
    return encodeURIComponent(segment);
}
/**
 * Uploads one file: hashes it, requests an upload (`POST /files/{owner}/{repo}/`, method `put`
 * or `put_parts`), then streams the bytes from disk with `PUT upload_url` — in parts above the
 * threshold, finished with `POST …/{identifier}/complete/`. A retried PUT opens the file again.
 */
async function uploadFile(transport, owner, repo, file, options = {}) {
    const filename = options.filename ?? node_path__WEBPACK_IMPORTED_MODULE_2___default().basename(file);
    const { sha256, md5, size } = await hashFile(file);
    const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
    const partSize = Math.max(1, options.partSize ?? DEFAULT_PART_SIZE);
    const multipart = size > threshold;
    const request = {
        filename,
        sha256_checksum: sha256,
        md5_checksum: md5,
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
            body: { length: size, open: () => counted(node_fs__WEBPACK_IMPORTED_MODULE_1___default().createReadStream(file), 0, report) },
        });
        return { identifier: slot.identifier, filename, size, sha256, md5, parts: 1 };
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
            body: {
                length: end - start,
                open: () => counted(node_fs__WEBPACK_IMPORTED_MODULE_1___default().createReadStream(file, { start, end: end - 1 }), start, report),
            },
        });
    }
    await transport.call({
        method: 'POST',
        path: `/files/${enc(owner)}/${enc(repo)}/${enc(slot.identifier)}/complete/`,
        json: { upload_id: slot.identifier, complete: true },
    });
    return { identifier: slot.identifier, filename, size, sha256, md5, parts };
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
/** Passes a file stream through, counting bytes from `offset` for the progress callback. */
function counted(source, offset, report) {
    let sent = offset;
    const through = new node_stream__WEBPACK_IMPORTED_MODULE_3__.PassThrough();
    source.on('data', (chunk) => {
        sent += chunk.length;
        report(sent);
    });
    source.on('error', (err) => through.destroy(err));
    through.on('close', () => source.destroy());
    return source.pipe(through);
}


/***/ }),

/***/ 4407:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  authenticate: () => (/* binding */ authenticate),
  jx: () => (/* binding */ freshTokenSource),
  verifyToken: () => (/* binding */ verifyToken)
});

// UNUSED EXPORTS: REFRESH_MARGIN_MS, ensureFreshToken, exchangeIdToken

// EXTERNAL MODULE: ./src/client/client.ts
var client_client = __webpack_require__(4064);
// EXTERNAL MODULE: ./src/client/errors.ts
var errors = __webpack_require__(6468);
// EXTERNAL MODULE: ./src/config/names.ts
var names = __webpack_require__(6234);
// EXTERNAL MODULE: ./src/runtime/runtime.ts
var runtime_runtime = __webpack_require__(2536);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
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

// EXTERNAL MODULE: ./src/steps/retry.ts
var retry = __webpack_require__(5329);
;// CONCATENATED MODULE: ./src/steps/auth.ts






/**
 * Gets the CI's ID token (retrying network failures, 5xx and timeouts) and exchanges it for a
 * repository token (retrying network failures, 5xx and 429; any other refusal fails at once with
 * the server's detail). Both tokens are masked the moment they exist.
 */
async function exchangeIdToken(runtime, settings, deps = {}) {
    const idToken = await (0,retry/* getIdTokenWithRetries */.d)(runtime, settings.audience, settings.retries, deps);
    runtime.setSecret(idToken);
    const client = new client_client/* RepositoryClient */.q({
        baseUrl: settings.apiUrl,
        retries: settings.retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info((0,retry/* describeRetry */.e)(`${notice.method} ${notice.path}`, notice)),
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
    const client = new client_client/* RepositoryClient */.q({
        baseUrl: apiUrl,
        apiKey: token,
        retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info((0,retry/* describeRetry */.e)(`${notice.method} ${notice.path}`, notice)),
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


/***/ }),

/***/ 5329:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   d: () => (/* binding */ getIdTokenWithRetries),
/* harmony export */   e: () => (/* binding */ describeRetry)
/* harmony export */ });
/* harmony import */ var _client_retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7785);
/* harmony import */ var _client_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6468);
/* harmony import */ var _runtime_runtime_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2536);



/** A log line for a retry: what is retried, when, and why. */
function describeRetry(what, notice) {
    const reason = (0,_client_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(notice.error);
    const seconds = (notice.delayMs / 1000).toFixed(1);
    return `${what} failed (${reason}); retry ${notice.retry} of ${notice.retries} in ${seconds} s.`;
}
/** Resolves with `promise`, or rejects with a retryable IdTokenError after `ms`. */
async function withTimeout(promise, ms) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new _runtime_runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .IdTokenError */ .Z4(`the ID-token request took longer than ${ms / 1000} s`, true)), ms);
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
    return (0,_client_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .retry */ .L5)(() => withTimeout(runtime.getIdToken(audience), deps.idTokenTimeoutMs ?? 30_000), {
        ...deps.timing,
        retries,
        shouldRetry: (err) => (err instanceof _runtime_runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .IdTokenError */ .Z4 && err.retryable ? {} : false),
        onRetry: (notice) => runtime.info(describeRetry('Getting the OIDC ID token', notice)),
    });
}


/***/ })

};
;