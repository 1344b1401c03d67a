"use strict";
exports.id = 65;
exports.ids = [65];
exports.modules = {

/***/ 9065:
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

// EXTERNAL MODULE: ./src/client/client.ts
var client = __webpack_require__(4064);
// EXTERNAL MODULE: ./src/client/errors.ts
var errors = __webpack_require__(6468);
// EXTERNAL MODULE: ./src/client/http.ts + 1 modules
var http = __webpack_require__(5470);
// EXTERNAL MODULE: ./src/steps/auth.ts + 1 modules
var steps_auth = __webpack_require__(4407);
// EXTERNAL MODULE: ./src/steps/retry.ts
var retry = __webpack_require__(5329);
;// CONCATENATED MODULE: ./src/steps/connect.ts





/**
 * A repository client for a step: the credential renewed when the `auth` step's token is about
 * to expire, retries logged through the runtime.
 */
function connect(runtime, connection, deps = {}) {
    return new client/* RepositoryClient */.q({
        baseUrl: connection.apiUrl,
        getToken: (0,steps_auth/* freshTokenSource */.jx)(runtime, connection, deps),
        retries: connection.retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info((0,retry/* describeRetry */.e)(`${notice.method} ${notice.path}`, notice)),
    });
}
/**
 * Whether a failed write may be tried again once the step has checked that it did not take
 * effect: a network failure, a timeout, throttling or a server error. A refusal (4xx) never is.
 */
function isTransientFailure(error) {
    if (error instanceof errors/* ApiError */.hD)
        return (0,http/* isRetryableStatus */.PS)(error.status);
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    return (0,errors/* classifyNetworkError */.LW)(cause) !== null || (0,errors/* classifyNetworkError */.LW)(error) !== null;
}
/** The wait a server asked for (Retry-After), when the failure carries one. */
function retryAfterOf(error) {
    return error instanceof errors/* ApiError */.hD && error.retryAfterMs !== undefined
        ? { retryAfterMs: error.retryAfterMs }
        : {};
}

// EXTERNAL MODULE: ./src/steps/gate.ts + 4 modules
var steps_gate = __webpack_require__(7186);
// EXTERNAL MODULE: ./src/config/names.ts
var names = __webpack_require__(6234);
// EXTERNAL MODULE: ./src/client/retry.ts
var client_retry = __webpack_require__(7785);
// EXTERNAL MODULE: ./src/steps/types.ts
var types = __webpack_require__(9194);
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
function enc(segment) {
    return encodeURIComponent(segment);
}
/**
 * Checks that the destination repository exists (and the credential can see it); throws a
 * message naming the `destination` input and the repositories that can be seen otherwise.
 */
async function checkDestination(client, owner, destination) {
    try {
        await client.transport.call({ method: 'GET', path: `/repos/${enc(owner)}/${enc(destination)}/` });
    }
    catch (err) {
        if (!(err instanceof errors/* ApiError */.hD) || err.status !== 404)
            throw err;
        let known = '';
        try {
            const { data } = await client.transport.call({
                method: 'GET',
                path: `/repos/${enc(owner)}/`,
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
    const sleep = deps.timing?.sleep ?? client_retry/* realSleep */.uk;
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
        outcome = await (0,client_retry/* retry */.L5)(async () => {
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
            onRetry: (notice) => runtime.info((0,retry/* describeRetry */.e)(`Promoting ${(0,types/* describePushed */.V0)(item)} to ${to}`, notice)),
            ...(deps.now ? { now: deps.now } : {}),
        });
    }
    catch (err) {
        if (!isPromotionRefusal(err))
            throw err;
        // The sentence the report builds around `detail` ends it itself.
        const detail = `${to} refused it: ${err.detail.replace(/\.$/, '')}`;
        runtime.warning(`Not promoting ${(0,types/* describePushed */.V0)(item)}: ${detail}`);
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
        ? `${verb} ${(0,types/* describePushed */.V0)(item)} from ${from} to ${to} as ${pkg.slug} (${pkg.slug_perm}).`
        : changed
            ? `${(0,types/* describePushed */.V0)(item)} is already in ${to} as ${pkg.slug} (${pkg.slug_perm}); added the missing tags.`
            : `${(0,types/* describePushed */.V0)(item)} is already in ${to} as ${pkg.slug} (${pkg.slug_perm}) with its tags; nothing changed.`);
    return {
        slug_perm: item.slug_perm,
        destination_slug_perm: pkg.slug_perm,
        name: item.name,
        version: item.version,
        status: changed ? 'promoted' : 'unchanged',
        mode: options.mode,
        destination: to,
        tags: options.tags,
        url: (0,types/* packageUrl */.EH)(pkg),
    };
}
/** Quarantines a package unless it already is; safe to repeat after a transient failure. */
async function quarantineOne(runtime, client, options, item, deps) {
    const where = `${options.owner}/${options.repo}`;
    const already = await (0,client_retry/* retry */.L5)(async () => {
        const pkg = await client.getPackage(options.owner, options.repo, item.slug_perm);
        if (pkg.is_quarantined)
            return true;
        await client.quarantinePackage(options.owner, options.repo, item.slug_perm);
        return false;
    }, {
        ...deps.timing,
        retries: options.retries,
        shouldRetry: (err) => (isTransientFailure(err) ? retryAfterOf(err) : false),
        onRetry: (notice) => runtime.info((0,retry/* describeRetry */.e)(`Quarantining ${(0,types/* describePushed */.V0)(item)}`, notice)),
        ...(deps.now ? { now: deps.now } : {}),
    });
    runtime.info(already
        ? `${(0,types/* describePushed */.V0)(item)} in ${where} is already quarantined.`
        : `Quarantined ${(0,types/* describePushed */.V0)(item)} in ${where}: it failed the gate.`);
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
            runtime.info(`Not promoting ${(0,types/* describePushed */.V0)(item)}: the gate failed.`);
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

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/client/upload.ts
var upload = __webpack_require__(8390);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
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

// EXTERNAL MODULE: ./node_modules/@actions/glob/lib/glob.js + 30 modules
var glob = __webpack_require__(5917);
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
        const { sha256, size } = await (0,upload/* hashFile */.DC)(file);
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
    const pkg = await (0,client_retry/* retry */.L5)(async (attempt) => {
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
        onRetry: (notice) => runtime.info((0,retry/* describeRetry */.e)(`Pushing ${item.filename}`, notice)),
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
    const packages = results.map((r) => (0,types/* toPushedPackage */.$C)(r.pkg));
    const json = JSON.stringify(packages);
    runtime.setOutput(names/* PushOutput */.o5.Packages, json);
    runtime.exportVariable(names/* StepEnv */.iT.Packages, json);
    runtime.exportVariable(names/* StepEnv */.iT.Owner, options.owner);
    runtime.exportVariable(names/* StepEnv */.iT.Repo, options.repo);
    const reused = results.filter((r) => r.reused).length;
    return { packages, uploaded: results.length - reused, reused };
}

// EXTERNAL MODULE: ./src/steps/report.ts + 8 modules
var steps_report = __webpack_require__(2767);
;// CONCATENATED MODULE: ./src/steps/pipeline.ts








async function establish(runtime, settings, deps) {
    if (!settings.auth)
        return { connection: settings.connection };
    const auth = await runtime.group('Authenticate', () => (0,steps_auth.authenticate)(runtime, settings.auth, deps));
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
    const gate = await runtime.group('Wait for the scans and judge', () => (0,steps_gate.runGate)(runtime, client, { owner, repo, packages: push.packages, ...settings.gate }, deps));
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
                failed: (0,steps_gate.failedPackages)(gate.report),
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
    const report = await (0,steps_report.publishReport)(runtime, settings.report, { verdict, promotions, summary: 'full', checkRun: true }, deps);
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
    const gate = await (0,steps_gate.runGate)(runtime, connect(runtime, settings.connection, deps), settings, deps);
    await (0,steps_report.publishReport)(runtime, settings.report, { verdict: gate.verdict, summary: 'full', checkRun: true }, deps);
    return {
        ...(gate.verdict.result === 'fail' ? { failure: (0,steps_gate.gateFailureMessage)(gate.verdict) } : {}),
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
    const report = settings.gateFindings ? (0,steps_gate.readGateReport)(settings.gateFindings) : undefined;
    if (settings.gateResult === 'pass')
        await checkDestination(client, settings.owner, settings.destination);
    const { promotions, refusals } = await promotePackages(runtime, client, {
        ...settings,
        retries: settings.connection.retries,
        ...(report ? { failed: (0,steps_gate.failedPackages)(report) } : {}),
    }, deps);
    await (0,steps_report.publishReport)(runtime, settings.report, { ...(report ? { verdict: report } : {}), promotions, summary: 'promotions', checkRun: false }, deps);
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
        ...(verdict.result === 'fail' ? { failure: (0,steps_gate.gateFailureMessage)(verdict) } : {}),
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