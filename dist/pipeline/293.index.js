"use strict";
exports.id = 293;
exports.ids = [293];
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

/***/ 1293:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GitHubRuntime: () => (/* binding */ GitHubRuntime),
/* harmony export */   MISSING_ID_TOKEN_PERMISSION: () => (/* binding */ MISSING_ID_TOKEN_PERMISSION)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(143);
/* harmony import */ var _client_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6468);
/* harmony import */ var _runtime_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2536);



/** The message a job without `id-token: write` gets. */
const MISSING_ID_TOKEN_PERMISSION = 'No OIDC ID token is available: ACTIONS_ID_TOKEN_REQUEST_URL is not set, which means the job ' +
    'lacks the permission to request one. Add `permissions: id-token: write` to the job (or the ' +
    'workflow), or give the `api-key` input instead.';
/**
 * The GitHub Actions runtime over @actions/core: inputs from `INPUT_*`, outputs and exports
 * through the runner's files, `::add-mask::` for secrets, the job summary, and the runner's
 * ID-token endpoint.
 */
class GitHubRuntime {
    env;
    kind = 'github';
    masked;
    /**
     * `env` is where exports are mirrored and the ID-token and summary settings are read; it is
     * the process environment, which @actions/core itself reads for inputs and files. `masked`
     * holds the secrets already masked (by {@link GitHubInputs} while the settings were read).
     */
    constructor(env = process.env, masked = []) {
        this.env = env;
        this.masked = new Set(masked);
    }
    /** {@inheritDoc Runtime.getInput} */
    getInput(name, options) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name, options);
    }
    /** {@inheritDoc Runtime.getBooleanInput} */
    getBooleanInput(name, options) {
        const value = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name, options);
        return value === '' ? false : (0,_runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .parseBooleanInput */ .S8)(name, value);
    }
    /** {@inheritDoc Runtime.getMultilineInput} */
    getMultilineInput(name, options) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getMultilineInput */ .q3(name, options);
    }
    /** {@inheritDoc Runtime.getEnv} */
    getEnv(name) {
        return this.env[name];
    }
    /** {@inheritDoc Runtime.setOutput} */
    setOutput(name, value) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(name, value);
    }
    /** {@inheritDoc Runtime.exportVariable} */
    exportVariable(name, value) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .exportVariable */ .dN(name, value);
        this.env[name] = value;
    }
    /** {@inheritDoc Runtime.setSecret} */
    setSecret(secret) {
        if (!secret || this.masked.has(secret))
            return;
        this.masked.add(secret);
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(secret);
    }
    /** {@inheritDoc Runtime.info} */
    info(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(message);
    }
    /** {@inheritDoc Runtime.warning} */
    warning(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(message);
    }
    /** {@inheritDoc Runtime.error} */
    error(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .error */ .z3(message);
    }
    /** {@inheritDoc Runtime.debug} */
    debug(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(message);
    }
    /** {@inheritDoc Runtime.group} */
    group(name, fn) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .group */ .Os(name, fn);
    }
    /** {@inheritDoc Runtime.summary} */
    async summary(markdown) {
        if (!this.env.GITHUB_STEP_SUMMARY) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz('No GITHUB_STEP_SUMMARY file: the job summary is skipped.');
            return;
        }
        await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z.addRaw(markdown, true).write();
    }
    /** {@inheritDoc Runtime.getIdToken} */
    async getIdToken(audience) {
        if (!this.env.ACTIONS_ID_TOKEN_REQUEST_URL || !this.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
            throw new _runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .IdTokenUnavailableError */ .$J(MISSING_ID_TOKEN_PERMISSION);
        }
        try {
            const token = await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getIDToken */ .V9(audience);
            // @actions/core has already masked it.
            this.masked.add(token);
            return token;
        }
        catch (err) {
            throw idTokenError(err);
        }
    }
    /** {@inheritDoc Runtime.saveState} */
    saveState(name, value) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .saveState */ .LZ(name, value);
    }
    /** {@inheritDoc Runtime.getState} */
    getState(name) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getState */ .Gu(name);
    }
    /** {@inheritDoc Runtime.isDebug} */
    isDebug() {
        return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .isDebug */ ._o();
    }
}
/**
 * @actions/core reports ID-token failures as text (`Error Code : 503 … Error Message: …`); the
 * status, or its absence for a network failure, decides whether another try may help.
 */
function idTokenError(err) {
    const text = (0,_client_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(err);
    const code = /Error Code\s*:\s*(\d{3})/.exec(text);
    const status = code ? Number(code[1]) : undefined;
    const reason = /Error Message\s*:\s*([^\n]*)/.exec(text)?.[1]?.trim() || text.replace(/\s+/g, ' ').trim();
    const fetchFailed = /Failed to get ID Token/.test(text);
    const label = status ? `HTTP ${status}` : fetchFailed ? 'network error' : 'bad answer';
    return new _runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .IdTokenError */ .Z4(`Could not get an OIDC ID token from the runner (${label}): ${reason}`, fetchFailed && (0,_runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .isRetryableIdTokenStatus */ .Rz)(status), status, err);
}


/***/ })

};
;