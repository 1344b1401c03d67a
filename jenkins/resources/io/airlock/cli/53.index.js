"use strict";
exports.id = 53;
exports.ids = [53];
exports.modules = {

/***/ 53:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   fetchActionsIdToken: () => (/* binding */ fetchActionsIdToken)
/* harmony export */ });
/* harmony import */ var _actions_http_client__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4942);
/* harmony import */ var _client_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6468);
/* harmony import */ var _runtime_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2536);



/**
 * Asks a GitHub-Actions-style ID-token endpoint for a token (`GET {url}&audience=…` with
 * `Authorization: Bearer {requestToken}` → `{"value": jwt}`), as @actions/core does but without
 * printing `::add-mask::`: the CLI runtime masks by redaction instead. One attempt; the caller
 * retries when the thrown {@link IdTokenError} says `retryable`.
 */
async function fetchActionsIdToken(requestUrl, requestToken, audience, timeoutMs = 30_000) {
    const url = new URL(requestUrl);
    if (audience)
        url.searchParams.set('audience', audience);
    const http = new _actions_http_client__WEBPACK_IMPORTED_MODULE_0__/* .HttpClient */ .Qq('airlock-cli', [], { allowRetries: false, socketTimeout: timeoutMs });
    let status;
    let text;
    try {
        const res = await http.get(url.toString(), {
            authorization: `Bearer ${requestToken}`,
            accept: 'application/json',
        });
        status = res.message.statusCode;
        text = await res.readBody();
    }
    catch (err) {
        const reason = (0,_client_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(err);
        throw new _runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .IdTokenError */ .Z4(`Could not reach the ID-token endpoint ${url.origin}: ${reason}`, true, undefined, err);
    }
    if (status !== 200) {
        throw new _runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .IdTokenError */ .Z4(`The ID-token endpoint ${url.origin} answered HTTP ${status}: ${text.slice(0, 200)}`, (0,_runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .isRetryableIdTokenStatus */ .Rz)(status), status);
    }
    let value;
    try {
        value = JSON.parse(text).value;
    }
    catch {
        value = undefined;
    }
    if (typeof value !== 'string' || value === '') {
        throw new _runtime_js__WEBPACK_IMPORTED_MODULE_2__/* .IdTokenError */ .Z4(`The ID-token endpoint ${url.origin} answered without a token ("value").`, false, status);
    }
    return value;
}


/***/ })

};
;