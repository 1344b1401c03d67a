"use strict";
exports.id = 186;
exports.ids = [186,785];
exports.modules = {

/***/ 7785:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L5: () => (/* binding */ retry),
/* harmony export */   ft: () => (/* binding */ DEFAULT_TIMING),
/* harmony export */   mu: () => (/* binding */ parseRetryAfter),
/* harmony export */   uk: () => (/* binding */ realSleep)
/* harmony export */ });
/* unused harmony export backoffDelay */
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


/***/ }),

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

/***/ 7186:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  failedPackages: () => (/* binding */ failedPackages),
  gateFailureMessage: () => (/* binding */ gateFailureMessage),
  projectPath: () => (/* binding */ projectPath),
  readGateReport: () => (/* binding */ readGateReport),
  runGate: () => (/* binding */ runGate)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/client/errors.ts
var errors = __webpack_require__(6468);
// EXTERNAL MODULE: ./src/config/names.ts
var names = __webpack_require__(6234);
// EXTERNAL MODULE: ./src/policy/coverage.ts
var policy_coverage = __webpack_require__(2358);
// EXTERNAL MODULE: ./src/policy/severity.ts
var severity = __webpack_require__(3863);
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
                severity: (0,severity/* severityFromWire */.fw)(v.severity),
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

// EXTERNAL MODULE: ./src/policy/allowlist.ts
var allowlist = __webpack_require__(6523);
// EXTERNAL MODULE: ./src/policy/licenses.ts
var licenses = __webpack_require__(5336);
// EXTERNAL MODULE: ./src/policy/settings.ts
var policy_settings = __webpack_require__(3693);
;// CONCATENATED MODULE: ./src/policy/gate.ts





/** Allowlist bookkeeping shared by every package of one evaluation. */
class AllowlistLedger {
    active;
    expired;
    used = new Set();
    wouldHave = new Map();
    suppressed = [];
    constructor(entries, now) {
        this.active = entries.filter((e) => !(0,allowlist/* isExpired */._d)(e, now));
        this.expired = entries.filter((e) => (0,allowlist/* isExpired */._d)(e, now));
    }
    /** The first active entry covering the finding; records every entry (active or expired) that matches. */
    suppressor(pkg, finding) {
        for (const e of this.expired) {
            if ((0,allowlist/* entryMatches */.Yn)(e, pkg, finding))
                this.wouldHave.set(e, (this.wouldHave.get(e) ?? 0) + 1);
        }
        const matching = this.active.filter((e) => (0,allowlist/* entryMatches */.Yn)(e, pkg, finding));
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
    const max = (0,policy_settings/* maxFor */.uO)(settings, level);
    if (max !== undefined) {
        return { level, count, allowed: max, limitSource: `max-${level}`, exceeded: count > max };
    }
    if (settings.failOn !== 'none' && (0,severity/* isAtLeast */.du)(level, settings.failOn)) {
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
        ? (0,policy_coverage/* checkCoverage */.xQ)(pkg.coverage, settings.maxAdvisoryAgeSec, now)
        : (0,policy_coverage/* notScanned */.iL)();
    coverageSentences(coverage, label, settings, reasons, notes);
    const levels = [...severity/* LEVELS */.A_].reverse().map((level) => checkLevel(level, findings, settings));
    for (const check of levels) {
        if (!check.exceeded)
            continue;
        for (const f of findings)
            if (f.effectiveLevel === check.level)
                f.disposition = 'deciding';
        reasons.push(levelReason(label, check, findings, settings));
    }
    const license = (0,licenses/* checkLicense */.q$)(pkg.license, settings.denyLicenses);
    licenseSentences(license, label, settings, reasons, notes);
    const counts = (0,severity/* emptyCounts */.W1)();
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
    const limits = severity/* LEVELS */.A_.filter((l) => (0,policy_settings/* maxFor */.uO)(settings, l) !== undefined).map((l) => `max-${l} ${String((0,policy_settings/* maxFor */.uO)(settings, l))}`);
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
    const totals = verdicts.reduce((acc, v) => (0,severity/* addCounts */.c5)(acc, v.counts), (0,severity/* emptyCounts */.W1)());
    const failed = verdicts.filter((v) => v.result === 'fail');
    const expired = ledger.expiredEntries();
    const stale = ledger.staleEntries();
    const notes = verdicts.flatMap((v) => v.notes);
    for (const { entry, wouldHaveSuppressed } of expired) {
        const effect = wouldHaveSuppressed
            ? `; it would have suppressed ${plural(wouldHaveSuppressed, 'finding')}`
            : '';
        notes.push(`Allowlist entry ${entry.index + 1} (${(0,allowlist/* describeEntry */.OY)(entry)}, expires ${entry.expires}) has expired and was not applied${effect}.`);
    }
    for (const entry of stale) {
        notes.push(`Allowlist entry ${entry.index + 1} (${(0,allowlist/* describeEntry */.OY)(entry)}) matched no finding; it may be removed.`);
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

// EXTERNAL MODULE: ./src/report/coverage.ts
var report_coverage = __webpack_require__(3122);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
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
            markdown: `**${(0,severity/* severityLabel */.yi)(level)}** ${first.title || id}${aliases}\n\n${fix}${refs.length ? `\n\n${refs.map((r) => `- ${r}`).join('\n')}` : ''}`,
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
    return `${f.component} ${f.installedVersion} in ${pkg.name} ${pkg.version} is affected by ${f.id} (${(0,severity/* severityLabel */.yi)(f.severity)})${title}.${fix}${outcome}`;
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
        summary: (0,report_coverage/* coverageText */._)(c),
        evaluated: c?.evaluated ?? null,
        notEvaluated: c?.notEvaluated ?? null,
        limitReached: c?.limitReached ?? null,
        advisoryData: (0,report_coverage/* advisoryAgesText */.l_)(c, settings.maxAdvisoryAgeSec),
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

// EXTERNAL MODULE: ./src/client/retry.ts
var retry = __webpack_require__(7785);
// EXTERNAL MODULE: ./src/steps/types.ts
var types = __webpack_require__(9194);
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
    const sleep = deps.timing?.sleep ?? retry/* realSleep */.uk;
    const started = now();
    const label = (0,types/* describePushed */.V0)(item);
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
        const coverage = (0,policy_coverage/* readCoverage */.tn)('coverage' in detail ? detail.coverage : undefined);
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
    runtime.info(`Gate ${verdict.result === 'pass' ? 'passed' : 'failed'}: ${t.critical} critical, ${t.high} high, ${t.medium} medium, ${t.low} low, ${t.unknown} unknown; ${(0,report_coverage/* coverageSentence */.Qc)(verdict)}.\n` +
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


/***/ }),

/***/ 9194:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $C: () => (/* binding */ toPushedPackage),
/* harmony export */   EH: () => (/* binding */ packageUrl),
/* harmony export */   V0: () => (/* binding */ describePushed)
/* harmony export */ });
/* harmony import */ var _api_text_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8877);

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
    return (0,_api_text_js__WEBPACK_IMPORTED_MODULE_0__/* .escapeControls */ .UN)(pkg.version ? `${pkg.name} ${pkg.version}` : pkg.name);
}


/***/ })

};
;