"use strict";
exports.id = 233;
exports.ids = [233];
exports.modules = {

/***/ 6523:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   OY: () => (/* binding */ describeEntry),
/* harmony export */   Yn: () => (/* binding */ entryMatches),
/* harmony export */   _d: () => (/* binding */ isExpired),
/* harmony export */   jE: () => (/* binding */ expiryInstant)
/* harmony export */ });
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


/***/ }),

/***/ 1233:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseAllowlist: () => (/* binding */ parseAllowlist)
/* harmony export */ });
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8815);
/* harmony import */ var _allowlist_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6523);


const ENTRY_KEYS = ['id', 'package', 'expires', 'reason'];
const FORMAT_HINT = 'Write a list of entries (or `allowlist:` followed by one), each like `- id: CVE-2024-1234` with optional `package`, `expires` (YYYY-MM-DD) and `reason`.';
/** Reads `name` or `name@version` (the `@` of an npm scope is part of the name). */
function parsePackageText(text) {
    const at = text.lastIndexOf('@');
    if (at <= 0)
        return { name: text };
    return { name: text.slice(0, at), version: text.slice(at + 1) };
}
class EntryReader {
    source;
    lines;
    constructor(source, lines) {
        this.source = source;
        this.lines = lines;
    }
    where(index, node) {
        const line = node?.range ? ` (line ${this.lines.linePos(node.range[0]).line})` : '';
        return `${this.source}: entry ${index + 1}${line}`;
    }
    read(index, node) {
        if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(node) && typeof node.value === 'string' && node.value.trim()) {
            return { index, id: node.value.trim() };
        }
        if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(node))
            throw new Error(`${this.where(index, node)} is not a mapping. ${FORMAT_HINT}`);
        const raw = node.toJSON();
        const unknown = Object.keys(raw).filter((k) => !ENTRY_KEYS.includes(k));
        if (unknown.length) {
            throw new Error(`${this.where(index, node)} has unknown key ${unknown.map((k) => `\`${k}\``).join(', ')}; allowed keys are ${ENTRY_KEYS.join(', ')}.`);
        }
        const entry = { index, id: this.readId(index, node, raw.id) };
        if (raw.package !== undefined && raw.package !== null)
            entry.package = this.readPackage(index, node, raw.package);
        if (raw.expires !== undefined && raw.expires !== null)
            entry.expires = this.readExpires(index, node, raw.expires);
        if (raw.reason !== undefined && raw.reason !== null)
            entry.reason = String(raw.reason).trim();
        return entry;
    }
    readId(index, node, id) {
        if (typeof id !== 'string' || !id.trim()) {
            throw new Error(`${this.where(index, node)} has no \`id\`: every entry needs the advisory id or alias it accepts (e.g. \`id: CVE-2024-1234\`).`);
        }
        return id.trim();
    }
    readPackage(index, node, pkg) {
        if (typeof pkg === 'string' && pkg.trim())
            return parsePackageText(pkg.trim());
        if (typeof pkg === 'object' && pkg !== null && !Array.isArray(pkg)) {
            const { name, version, ...rest } = pkg;
            if (typeof name === 'string' && name.trim() && Object.keys(rest).length === 0) {
                if (version === undefined || version === null)
                    return { name: name.trim() };
                if (typeof version === 'string' || typeof version === 'number') {
                    return { name: name.trim(), version: String(version).trim() };
                }
            }
        }
        throw new Error(`${this.where(index, node)} has an unreadable \`package\`; write \`package: NAME\`, \`package: NAME@VERSION\` or \`package: {name: NAME, version: VERSION}\`.`);
    }
    readExpires(index, node, expires) {
        const text = expires instanceof Date ? expires.toISOString() : String(expires).trim();
        if (typeof expires === 'boolean' || (0,_allowlist_js__WEBPACK_IMPORTED_MODULE_1__/* .expiryInstant */ .jE)(text) === undefined) {
            throw new Error(`${this.where(index, node)} has \`expires: ${String(expires)}\`, which is not a date; use YYYY-MM-DD (valid through that day, UTC) or an ISO 8601 date-time such as 2025-06-30T12:00:00Z.`);
        }
        return text;
    }
}
/**
 * Parses an allowlist file: a YAML list of entries, or a mapping with an `allowlist:` list. An
 * entry is a mapping with `id` (advisory id or alias) and optional `package` (`name`,
 * `name@version` or `{name, version}`), `expires` and `reason`; a bare string is an entry with
 * only an id. Throws an Error naming `source`, the entry and its line for anything unreadable.
 */
function parseAllowlist(text, source = 'allowlist') {
    const lines = new yaml__WEBPACK_IMPORTED_MODULE_0__/* .LineCounter */ .HN();
    const doc = (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .parseDocument */ .Tp)(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const error = doc.errors[0];
    if (error)
        throw new Error(`${source} is not valid YAML: ${error.message.split('\n')[0]}`);
    let list = doc.contents;
    if (list === null || ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(list) && (list.value === null || list.value === '')))
        return [];
    if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(list)) {
        const keys = list.items.map((p) => ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(p.key) ? String(p.key.value) : ''));
        if (keys.length !== 1 || keys[0] !== 'allowlist') {
            throw new Error(`${source} has top-level key(s) ${keys.join(', ')}, expected only \`allowlist\`. ${FORMAT_HINT}`);
        }
        list = (list.items[0]?.value ?? null);
        if (list === null || ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(list) && list.value === null))
            return [];
    }
    if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isSeq */ .oP)(list))
        throw new Error(`${source} is not a list of entries. ${FORMAT_HINT}`);
    const reader = new EntryReader(source, lines);
    return list.items.map((item, i) => reader.read(i, item));
}


/***/ })

};
;