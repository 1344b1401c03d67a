"use strict";
exports.id = 767;
exports.ids = [767,556];
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


/***/ }),

/***/ 2767:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  checkRunName: () => (/* binding */ checkRunName),
  promotionSummary: () => (/* binding */ promotionSummary),
  publishReport: () => (/* binding */ publishReport)
});

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
// EXTERNAL MODULE: ./src/client/errors.ts
var errors = __webpack_require__(6468);
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

// EXTERNAL MODULE: ./src/github/context.ts
var context = __webpack_require__(9556);
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
    const sha = (0,context.resolveHeadSha)(ctx);
    try {
        return await createWithAnnotations(octokit, ctx, sha, request);
    }
    catch (error) {
        if ((0,context.httpStatusOf)(error) !== 403)
            throw error;
        const refused = `GitHub refused to create the check run "${request.name}" (${(0,context.describeRequestError)(error)}); the token lacks checks: write, as on pull requests from forks`;
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
            if ((0,context.httpStatusOf)(statusError) !== 403)
                throw statusError;
            return {
                kind: 'none',
                reason: `${refused}, and the commit status was refused too (${(0,context.describeRequestError)(statusError)}). Grant checks: write or statuses: write to report on the commit.`,
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
    const pr = (0,context.resolvePullRequest)(ctx);
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
        if ((0,context.httpStatusOf)(error) !== 403)
            throw error;
        return {
            action: 'skipped',
            reason: `GitHub refused the pull-request comment (${(0,context.describeRequestError)(error)}); the token lacks pull-requests: write, as on pull requests from forks`,
        };
    }
}

// EXTERNAL MODULE: ./src/policy/severity.ts
var severity = __webpack_require__(3863);
// EXTERNAL MODULE: ./src/report/format.ts
var report_format = __webpack_require__(2011);
// EXTERNAL MODULE: ./src/policy/allowlist.ts
var allowlist = __webpack_require__(6523);
;// CONCATENATED MODULE: ./src/policy/verdict.ts
/** The findings that decided a package's failure. */
function decidingFindings(pkg) {
    return pkg.findings.filter((f) => f.disposition === 'deciding');
}

// EXTERNAL MODULE: ./src/report/coverage.ts
var report_coverage = __webpack_require__(3122);
;// CONCATENATED MODULE: ./src/report/markdown.ts





const DEFAULT_TITLE = 'Airlock gate';
const DEFAULT_MAX_ROWS = 100;
/** A table with one row per package: result and counts by severity. */
function overviewTable(verdict) {
    const head = ['Package', 'Result', 'Critical', 'High', 'Medium', 'Low', 'Unknown'];
    const lines = [
        `| ${head.join(' | ')} |`,
        `| --- | --- | ${severity/* SEVERITIES_DESCENDING */.B4.map(() => '---:').join(' | ')} |`,
    ];
    for (const p of verdict.packages) {
        const name = p.url ? `[${(0,report_format/* escapeCell */.kq)((0,report_format/* packageLabel */.lL)(p))}](${p.url})` : (0,report_format/* escapeCell */.kq)((0,report_format/* packageLabel */.lL)(p));
        const counts = severity/* SEVERITIES_DESCENDING */.B4.map((s) => String(p.counts[s]));
        lines.push(`| ${name} | ${(0,report_format/* resultBadge */.Tq)(p.result)} | ${counts.join(' | ')} |`);
    }
    return lines.join('\n');
}
function licenseLine(pkg) {
    const l = pkg.license;
    if (l.status === 'not-checked')
        return l.declared ? `**License:** ${(0,report_format/* code */.aY)(l.declared)}` : undefined;
    const read = l.interpreted ? ` (read as ${(0,report_format/* code */.aY)(l.interpreted)})` : '';
    const declared = l.declared ? (0,report_format/* code */.aY)(l.declared) : 'none declared';
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
    const format = pkg.format ? ` (${(0,report_format/* escapeCell */.kq)(pkg.format)})` : '';
    parts.push(`${heading} ${pkg.result === 'pass' ? '✅' : '❌'} ${(0,report_format/* escapeCell */.kq)((0,report_format/* packageLabel */.lL)(pkg))}${format}`);
    const facts = [
        pkg.url ? `[package](${pkg.url})` : undefined,
        pkg.filename ? `file ${(0,report_format/* code */.aY)(pkg.filename)}` : undefined,
        `scan: ${pkg.scanStatus.replace('_', ' ')}`,
    ].filter(Boolean);
    parts.push(facts.join(' · '));
    parts.push((0,report_format/* countsTable */.Po)(pkg.counts));
    if (pkg.reasons.length || pkg.notes.length) {
        parts.push([
            ...pkg.reasons.map((r) => `- ❌ ${(0,report_format/* escapeCell */.kq)(r)}`),
            ...pkg.notes.map((n) => `- ⚠️ ${(0,report_format/* escapeCell */.kq)(n)}`),
        ].join('\n'));
    }
    const coverage = (0,report_coverage/* coverageLines */.Uo)(pkg, maxAdvisoryAgeSec);
    if (coverage.length)
        parts.push(coverage.join('  \n'));
    const unevaluated = (0,report_coverage/* notEvaluatedTable */.N2)(pkg, maxRows);
    if (unevaluated)
        parts.push(unevaluated);
    const deciding = decidingFindings(pkg);
    if (deciding.length) {
        parts.push(`**Findings that decided the verdict (${deciding.length})**`, (0,report_format/* findingsTable */.f9)(deciding, maxRows, false));
    }
    const allowlisted = pkg.findings.filter((f) => f.disposition === 'allowlisted');
    if (allowlisted.length) {
        const rows = allowlisted.slice(0, maxRows).map((f) => {
            const entry = f.allowlistEntry;
            const reason = entry?.reason ? (0,report_format/* escapeCell */.kq)(entry.reason) : '—';
            const expires = entry?.expires ? ` (until ${(0,report_format/* escapeCell */.kq)(entry.expires)})` : '';
            return `| ${(0,report_format/* escapeCell */.kq)(f.id)} | ${(0,report_format/* escapeCell */.kq)(f.component)} | ${entry ? entry.index + 1 : '?'}${expires} | ${reason} |`;
        });
        if (allowlisted.length > maxRows)
            rows.push(`| …and ${allowlisted.length - maxRows} more | | | |`);
        parts.push(`**Allowlisted (${allowlisted.length})**`, ['| Advisory | Component | Entry | Reason |', '| --- | --- | --- | --- |', ...rows].join('\n'));
    }
    const license = licenseLine(pkg);
    if (license)
        parts.push(license);
    const promotion = (0,report_format/* promotionFor */.Zu)(pkg, options.promotions);
    if (promotion)
        parts.push(`**Promotion:** ${(0,report_format/* promotionSentence */.hv)(promotion)}`);
    if (pkg.findings.length) {
        parts.push(`<details><summary>All ${pkg.findings.length} findings</summary>\n\n${(0,report_format/* findingsTable */.f9)(pkg.findings, maxRows, true)}\n\n</details>`);
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
    return `**Coverage:** ${flag}${(0,report_format/* escapeCell */.kq)((0,report_coverage/* coverageSentence */.Qc)(verdict))}.`;
}
/** How many findings the allowlist suppressed, then expired and stale entries as bullets; empty when it did nothing. */
function allowlistSection(verdict, label = '**Allowlist:** ') {
    const lines = [];
    for (const { entry, wouldHaveSuppressed } of verdict.allowlist.expired) {
        const effect = wouldHaveSuppressed ? `; it would have suppressed ${wouldHaveSuppressed}` : '';
        const reason = entry.reason ? ` — ${(0,report_format/* escapeCell */.kq)(entry.reason)}` : '';
        lines.push(`- ⏰ Entry ${entry.index + 1} ${(0,report_format/* code */.aY)((0,allowlist/* describeEntry */.OY)(entry))} expired (${(0,report_format/* escapeCell */.kq)(entry.expires ?? '')}) and was not applied${effect}${reason}`);
    }
    for (const entry of verdict.allowlist.stale) {
        lines.push(`- 🧹 Entry ${entry.index + 1} ${(0,report_format/* code */.aY)((0,allowlist/* describeEntry */.OY)(entry))} matched no finding and may be removed.`);
    }
    const suppressed = verdict.allowlist.suppressed.length;
    if (!lines.length && !suppressed)
        return '';
    const head = `${label}${suppressed} finding${suppressed === 1 ? '' : 's'} suppressed.`;
    return [head, ...(lines.length ? ['', ...lines] : [])].join('\n');
}
/** The links line, or empty. */
function linksLine(options) {
    return (options.links ?? []).map((l) => `[${(0,report_format/* escapeCell */.kq)(l.label)}](${l.url})`).join(' · ');
}
/**
 * The job summary: the result and its reasons, then per package the severity counts, the
 * findings that decided the verdict with their fixed versions, allowlist effects, the license,
 * the promotion done and every finding; then expired and stale allowlist entries and links.
 */
function renderSummary(verdict, options = {}) {
    const title = options.title ?? DEFAULT_TITLE;
    const parts = [`## ${(0,report_format/* escapeCell */.kq)(title)}: ${(0,report_format/* resultBadge */.Tq)(verdict.result)}`];
    parts.push(verdict.reasons.map((r) => `- ${(0,report_format/* escapeCell */.kq)(r)}`).join('\n'));
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
    const message = `${f.component} ${f.installedVersion} (in ${(0,report_format/* packageLabel */.lL)(pkg)}) is affected by ${f.id}${f.title ? `: ${f.title}` : ''}. ${fix} ${outcome}`;
    return {
        path,
        start_line: f.location?.line ?? 1,
        end_line: f.location?.line ?? 1,
        annotation_level: level,
        title: `${f.id} (${(0,severity/* severityLabel */.yi)(f.severity)}) in ${f.component}`.slice(0, ANNOTATION_TITLE_LIMIT),
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
    const parts = [`${marker}\n### ${(0,report_format/* escapeCell */.kq)(title)}: ${(0,report_format/* resultBadge */.Tq)(verdict.result)}${sha}`];
    parts.push(verdict.reasons.map((r) => `- ${(0,report_format/* escapeCell */.kq)(r)}`).join('\n'));
    parts.push(coverageOverview(verdict));
    if (verdict.packages.length)
        parts.push(overviewTable(verdict));
    for (const pkg of verdict.packages) {
        const deciding = decidingFindings(pkg);
        const promotion = (0,report_format/* promotionFor */.Zu)(pkg, options.promotions);
        const incomplete = pkg.coverage?.status === 'incomplete';
        if (!deciding.length && !promotion && !pkg.notes.length && !incomplete)
            continue;
        const section = [`#### ${(0,report_format/* escapeCell */.kq)((0,report_format/* packageLabel */.lL)(pkg))}`];
        if (incomplete)
            section.push((0,report_coverage/* coverageLines */.Uo)(pkg, verdict.settings.maxAdvisoryAgeSec).join('  \n'));
        if (deciding.length)
            section.push('Findings that decided the verdict:', (0,report_format/* findingsTable */.f9)(deciding, maxRows, false));
        if (pkg.notes.length)
            section.push(pkg.notes.map((n) => `- ⚠️ ${(0,report_format/* escapeCell */.kq)(n)}`).join('\n'));
        if (promotion)
            section.push(`**Promotion:** ${(0,report_format/* promotionSentence */.hv)(promotion)}`);
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
    const lines = promotions.map((p) => `- ${(0,report_format/* code */.aY)(`${p.name} ${p.version}`.trim())}: ${(0,report_format/* promotionSentence */.hv)(p)}`);
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
    const sha = (0,context.resolveHeadSha)(github.context);
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


/***/ })

};
;