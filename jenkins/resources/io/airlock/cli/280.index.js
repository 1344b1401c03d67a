"use strict";
exports.id = 280;
exports.ids = [280];
exports.modules = {

/***/ 8877:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   UN: () => (/* binding */ escapeControls)
/* harmony export */ });
/* unused harmony exports describeCharacter, textProblem */
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


/***/ }),

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

/***/ 2358:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BV: () => (/* binding */ describeComponent),
/* harmony export */   HK: () => (/* binding */ describeAge),
/* harmony export */   a3: () => (/* binding */ formatDuration),
/* harmony export */   iL: () => (/* binding */ notScanned),
/* harmony export */   tn: () => (/* binding */ readCoverage),
/* harmony export */   xQ: () => (/* binding */ checkCoverage)
/* harmony export */ });
/* unused harmony export NOT_EVALUATED_REASONS */
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
function text(value, field) {
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
        ecosystem: text(c.ecosystem, `${at}.ecosystem`),
        name: text(c.name, `${at}.name`),
        version: text(c.version, `${at}.version`),
        reason: text(c.reason, `${at}.reason`),
        detail: typeof c.detail === 'string' ? c.detail : '',
        ...(location
            ? {
                location: {
                    path: text(location.path, `${at}.location.path`),
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
        ecosystem: text(e.ecosystem, `${at}.ecosystem`),
        components: count(e.components, `${at}.components`),
        evaluated: count(e.evaluated, `${at}.evaluated`),
        advisories: count(e.advisories, `${at}.advisories`),
        advisoriesUpdatedAt: updated === null || updated === undefined ? null : text(updated, `${at}.advisories_updated_at`),
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
        limitReached: limit === null || limit === undefined ? null : text(limit, 'limit_reached'),
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


/***/ }),

/***/ 3122:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   N2: () => (/* binding */ notEvaluatedTable),
/* harmony export */   Qc: () => (/* binding */ coverageSentence),
/* harmony export */   Uo: () => (/* binding */ coverageLines),
/* harmony export */   _: () => (/* binding */ coverageText),
/* harmony export */   l_: () => (/* binding */ advisoryAgesText)
/* harmony export */ });
/* unused harmony exports NOT_REPORTED, ecosystemText */
/* harmony import */ var _policy_coverage_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2358);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2011);


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
    const listed = coverage.notEvaluatedComponents.slice(0, INLINE_COMPONENTS).map(_policy_coverage_js__WEBPACK_IMPORTED_MODULE_1__/* .describeComponent */ .BV);
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
            return `${e.ecosystem} ${(0,_policy_coverage_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAge */ .HK)(e.ageSec ?? 0)} old, over max-advisory-age ${(0,_policy_coverage_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(maxAgeSec)} (${advisories})`;
        default:
            return `${e.ecosystem} ${e.ageSec === null ? 'age unknown' : `${(0,_policy_coverage_js__WEBPACK_IMPORTED_MODULE_1__/* .describeAge */ .HK)(e.ageSec)} old`} (${advisories})`;
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
    const lines = [`**Coverage:** ${mark}${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeCell */ .kq)(coverageText(coverage))}`];
    const ages = coverage?.ecosystems
        .filter((e) => e.freshness !== 'not-needed')
        .map((e) => `${e.freshness === 'stale' || e.freshness === 'never-loaded' ? '⚠️ ' : ''}${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeCell */ .kq)(ecosystemText(e, maxAgeSec))}`);
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
        const where = c.location ? (0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .code */ .aY)(`${c.location.path}${c.location.line ? `:${c.location.line}` : ''}`) : '';
        return `| ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeCell */ .kq)(c.ecosystem)} | ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeCell */ .kq)(c.name)} | ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeCell */ .kq)(c.version)} | ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeCell */ .kq)(c.detail || c.reason)} | ${where} |`;
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


/***/ }),

/***/ 2011:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Po: () => (/* binding */ countsTable),
/* harmony export */   Tq: () => (/* binding */ resultBadge),
/* harmony export */   Zu: () => (/* binding */ promotionFor),
/* harmony export */   aY: () => (/* binding */ code),
/* harmony export */   f9: () => (/* binding */ findingsTable),
/* harmony export */   hv: () => (/* binding */ promotionSentence),
/* harmony export */   kq: () => (/* binding */ escapeCell),
/* harmony export */   lL: () => (/* binding */ packageLabel)
/* harmony export */ });
/* unused harmony exports advisoryLink, outcomeLabel, sortFindings */
/* harmony import */ var _policy_severity_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3863);
/* harmony import */ var _api_text_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8877);


/**
 * Makes text safe inside a markdown table cell (no pipes, no line breaks, no raw HTML, and no
 * control or bidirectional formatting characters: those show as `\u{…}`).
 */
function escapeCell(text) {
    return (0,_api_text_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeControls */ .UN)(text.replace(/\r?\n|\r/g, ' '))
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '\\|')
        .trim();
}
/** Inline code that survives backticks in the text; control characters show as `\u{…}`. */
function code(text) {
    const clean = (0,_api_text_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeControls */ .UN)(text.replace(/\r?\n|\r/g, ' '));
    return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}
/** `name version`, with any control character shown as `\u{…}` rather than acted on. */
function packageLabel(pkg) {
    return (0,_api_text_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeControls */ .UN)(`${pkg.name} ${pkg.version}`);
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
    const head = _policy_severity_js__WEBPACK_IMPORTED_MODULE_1__/* .SEVERITIES_DESCENDING */ .B4.map(_policy_severity_js__WEBPACK_IMPORTED_MODULE_1__/* .severityLabel */ .yi);
    return [
        `| ${head.join(' | ')} |`,
        `| ${head.map(() => '---:').join(' | ')} |`,
        `| ${_policy_severity_js__WEBPACK_IMPORTED_MODULE_1__/* .SEVERITIES_DESCENDING */ .B4.map((s) => String(counts[s])).join(' | ')} |`,
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
    const rank = (f) => _policy_severity_js__WEBPACK_IMPORTED_MODULE_1__/* .SEVERITIES_DESCENDING */ .B4.indexOf(f.severity);
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
            (0,_policy_severity_js__WEBPACK_IMPORTED_MODULE_1__/* .severityLabel */ .yi)(f.severity),
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


/***/ })

};
;