"use strict";
exports.id = 326;
exports.ids = [326];
exports.modules = {

/***/ 5336:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ti: () => (/* binding */ describeInvalidLicenseId),
/* harmony export */   q$: () => (/* binding */ checkLicense)
/* harmony export */ });
/* unused harmony export licenseFamily */
/* harmony import */ var spdx_correct__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5728);
/* harmony import */ var spdx_correct__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(spdx_correct__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var spdx_expression_parse__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3326);
/* harmony import */ var spdx_expression_parse__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(spdx_expression_parse__WEBPACK_IMPORTED_MODULE_1__);


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
        return { node: spdx_expression_parse__WEBPACK_IMPORTED_MODULE_1___default()(declared) };
    }
    catch {
        const corrected = spdx_correct__WEBPACK_IMPORTED_MODULE_0___default()(declared);
        if (!corrected)
            return undefined;
        try {
            return { node: spdx_expression_parse__WEBPACK_IMPORTED_MODULE_1___default()(corrected), interpreted: corrected };
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
        const node = spdx_expression_parse__WEBPACK_IMPORTED_MODULE_1___default()(id);
        if (!('conjunction' in node) && !node.exception)
            return undefined;
        return `"${id}" is an expression; list single SPDX license ids`;
    }
    catch {
        const suggestion = spdx_correct__WEBPACK_IMPORTED_MODULE_0___default()(id);
        return suggestion
            ? `"${id}" is not an SPDX license id (did you mean ${suggestion}?)`
            : `"${id}" is not an SPDX license id`;
    }
}


/***/ }),

/***/ 2326:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseLicenseList: () => (/* binding */ parseLicenseList)
/* harmony export */ });
/* harmony import */ var _licenses_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5336);

// Apart from the other input parsers (parse-inputs.ts): the SPDX license list it checks against
// is large, and only a job that sets deny-licenses needs it.
/** `deny-licenses`: SPDX license ids separated by commas, spaces or new lines. */
function parseLicenseList(text, name = 'deny-licenses') {
    const ids = text
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    const problems = ids.map(_licenses_js__WEBPACK_IMPORTED_MODULE_0__/* .describeInvalidLicenseId */ .Ti).filter((p) => p !== undefined);
    if (problems.length) {
        throw new Error(`${name}: ${problems.join('; ')}. List SPDX license ids (e.g. GPL-3.0-only, AGPL-3.0-or-later) separated by commas or new lines.`);
    }
    return [...new Set(ids)];
}


/***/ })

};
;