"use strict";
exports.id = 556;
exports.ids = [556];
exports.modules = {

/***/ 9556:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   describeRequestError: () => (/* binding */ describeRequestError),
/* harmony export */   httpStatusOf: () => (/* binding */ httpStatusOf),
/* harmony export */   resolveHeadSha: () => (/* binding */ resolveHeadSha),
/* harmony export */   resolvePullRequest: () => (/* binding */ resolvePullRequest)
/* harmony export */ });
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


/***/ })

};
;