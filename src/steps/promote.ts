import type { RepositoryClient } from '../client/client.js';
import { ApiError } from '../client/errors.js';
import { realSleep, retry } from '../client/retry.js';
import type { Package } from '../client/types.js';
import { PromoteInput, PromoteOutput } from '../config/names.js';
import type { PromoteOptions } from '../config/promote.js';
import type { GateResult, Verdict } from '../policy/verdict.js';
import type { PromotionOutcome } from '../report/types.js';
import type { Runtime } from '../runtime/runtime.js';
import { isTransientFailure, retryAfterOf, type StepDeps } from './connect.js';
import { describeRetry } from './retry.js';
import { describePushed, packageUrl, type PushedPackage } from './types.js';

/** What the promote step acts on. */
export interface PromoteStepOptions extends PromoteOptions {
  owner: string;
  /** The repository the packages are in. */
  repo: string;
  packages: readonly PushedPackage[];
  gateResult: GateResult;
  /** Ids of the packages the gate failed; when unknown, every package counts as failed on a failed gate. */
  failed?: ReadonlySet<string>;
  /** Retries of a promotion that failed transiently. */
  retries: number;
}

/** One package's promotion, with the ids on both sides. */
export interface PromotionRecord extends PromotionOutcome {
  /** The package in the source repository. */
  slug_perm: string;
  /** The package in the destination (a copy has its own id). */
  destination_slug_perm?: string;
  /** Set when the destination's promotion rules refused the package (`detail` says why). */
  refused?: true;
}

/** What the promote step did. */
export interface PromoteResult {
  promotions: PromotionRecord[];
  /**
   * Why the repository refused to let packages in (its promotion rules), one sentence each; empty
   * when nothing was refused. A refusal fails the gate: the package is not what may ship there.
   */
  refusals: string[];
}

/** The error code with which the repository refuses a package its promotion rules do not admit. */
export const PROMOTION_REFUSED_CODE = 'promotion_rule_failed';

/** True when the repository refused a copy or move because of the destination's promotion rules. */
export function isPromotionRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === PROMOTION_REFUSED_CODE;
}

/**
 * The verdict after a promotion refusal: failed, with the refusals among its reasons and on each
 * refused package, so that the summary, the check run and the step's result say why.
 */
export function failVerdictForRefusals(
  verdict: Verdict,
  refused: readonly PromotionRecord[],
  refusals: readonly string[],
): Verdict {
  if (refusals.length === 0) return verdict;
  return {
    ...verdict,
    result: 'fail',
    reasons: [...verdict.reasons, ...refusals],
    packages: verdict.packages.map((p) => {
      const mine = refused.find((r) => r.name === p.name && r.version === p.version);
      return mine?.detail ? { ...p, result: 'fail' as const, reasons: [...p.reasons, mine.detail] } : p;
    }),
  };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/**
 * Checks that the destination repository exists (and the credential can see it); throws a
 * message naming the `destination` input and the repositories that can be seen otherwise.
 */
export async function checkDestination(
  client: RepositoryClient,
  owner: string,
  destination: string,
): Promise<void> {
  try {
    await client.transport.call({ method: 'GET', path: `/repos/${enc(owner)}/${enc(destination)}/` });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    let known = '';
    try {
      const { data } = await client.transport.call<{ slug?: string }[]>({
        method: 'GET',
        path: `/repos/${enc(owner)}/`,
        query: { page_size: 100 },
      });
      const slugs = (data ?? []).map((r) => r.slug).filter((s): s is string => !!s);
      if (slugs.length) known = ` Repositories this credential can see in ${owner}: ${slugs.join(', ')}.`;
    } catch {
      known = '';
    }
    throw new Error(
      `Input ${PromoteInput.Destination}: repository '${owner}/${destination}' does not exist, or this credential cannot see it; give the slug of an existing repository in ${owner}.${known}`,
      { cause: err },
    );
  }
}

function allTags(pkg: Package): Set<string> {
  const tags = new Set<string>();
  for (const group of [pkg.tags, pkg.tags_immutable, pkg.tags_automatic]) {
    for (const list of Object.values(group ?? {})) for (const t of list) tags.add(t);
  }
  return tags;
}

/** The package's copy (or the moved package) in the destination, when it is already there. */
async function findInDestination(
  client: RepositoryClient,
  options: PromoteStepOptions,
  item: PushedPackage,
  source: () => Promise<Package>,
): Promise<Package | undefined> {
  if (options.mode === 'move') {
    try {
      return await client.getPackage(options.owner, options.destination, item.slug_perm);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }
  const original = await source();
  const page = await client.listPackages(options.owner, options.destination, {
    query: `checksum:${original.checksum_sha256}`,
    pageSize: 100,
  });
  return page.items.find(
    (p) =>
      p.checksum_sha256 === original.checksum_sha256 &&
      p.format === original.format &&
      p.name === original.name &&
      p.version === original.version,
  );
}

/** Adds the tags the package lacks (none when it has them all); returns the package as it now is. */
async function ensureTags(
  client: RepositoryClient,
  options: PromoteStepOptions,
  pkg: Package,
): Promise<Package> {
  const present = allTags(pkg);
  const missing = options.tags.filter((t) => !present.has(t));
  if (missing.length === 0) return pkg;
  return client.tagPackage(options.owner, options.destination, pkg.slug_perm, {
    action: 'Add',
    tags: missing,
  });
}

/** Waits until the package is fully synchronised in the destination; throws on failure or at the deadline. */
async function waitSynced(
  client: RepositoryClient,
  options: PromoteStepOptions,
  pkg: Package,
  deadline: number,
  deps: StepDeps,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const sleep = deps.timing?.sleep ?? realSleep;
  let state: Pick<Package, 'is_sync_completed' | 'is_sync_failed' | 'status_reason' | 'stage_str'> = pkg;
  let pause = 500;
  for (;;) {
    if (state.is_sync_completed) return;
    if (state.is_sync_failed) {
      throw new Error(
        `${options.owner}/${options.destination}/${pkg.slug} failed to synchronise: ${state.status_reason || state.stage_str}.`,
      );
    }
    if (now() >= deadline) {
      throw new Error(
        `${options.owner}/${options.destination}/${pkg.slug} was not fully synchronised within ${options.waitTimeoutSec} s (stage: ${state.stage_str}); raise ${PromoteInput.WaitTimeout}.`,
      );
    }
    await sleep(Math.min(pause, Math.max(0, deadline - now())));
    pause = Math.min(5000, pause * 2);
    state = await client.getPackageStatus(options.owner, options.destination, pkg.slug_perm);
  }
}

async function promoteOne(
  runtime: Runtime,
  client: RepositoryClient,
  options: PromoteStepOptions,
  item: PushedPackage,
  deps: StepDeps,
): Promise<PromotionRecord> {
  const now = deps.now ?? Date.now;
  const deadline = now() + options.waitTimeoutSec * 1000;
  const from = `${options.owner}/${options.repo}`;
  const to = `${options.owner}/${options.destination}`;
  let original: Package | undefined;
  const source = async (): Promise<Package> =>
    (original ??= await client.getPackage(options.owner, options.repo, item.slug_perm));
  // A copy whose answer was lost (a reset connection) is found in the destination on the retry.
  let sent = false;
  let acted = false;
  let outcome: { pkg: Package; changed: boolean };
  try {
    outcome = await retry(
      async () => {
        const existing = await findInDestination(client, options, item, source);
        let pkg: Package;
        if (existing) {
          pkg = existing;
          acted = sent;
        } else {
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
      },
      {
        ...deps.timing,
        retries: options.retries,
        shouldRetry: (err) => (isTransientFailure(err) ? retryAfterOf(err) : false),
        onRetry: (notice) =>
          runtime.info(describeRetry(`Promoting ${describePushed(item)} to ${to}`, notice)),
        ...(deps.now ? { now: deps.now } : {}),
      },
    );
  } catch (err) {
    if (!isPromotionRefusal(err)) throw err;
    // The sentence the report builds around `detail` ends it itself.
    const detail = `${to} refused it: ${err.detail.replace(/\.$/, '')}`;
    runtime.warning(`Not promoting ${describePushed(item)}: ${detail}`);
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
  runtime.info(
    acted
      ? `${verb} ${describePushed(item)} from ${from} to ${to} as ${pkg.slug} (${pkg.slug_perm}).`
      : changed
        ? `${describePushed(item)} is already in ${to} as ${pkg.slug} (${pkg.slug_perm}); added the missing tags.`
        : `${describePushed(item)} is already in ${to} as ${pkg.slug} (${pkg.slug_perm}) with its tags; nothing changed.`,
  );
  return {
    slug_perm: item.slug_perm,
    destination_slug_perm: pkg.slug_perm,
    name: item.name,
    version: item.version,
    status: changed ? 'promoted' : 'unchanged',
    mode: options.mode,
    destination: to,
    tags: options.tags,
    url: packageUrl(pkg),
  };
}

/** Quarantines a package unless it already is; safe to repeat after a transient failure. */
async function quarantineOne(
  runtime: Runtime,
  client: RepositoryClient,
  options: PromoteStepOptions,
  item: PushedPackage,
  deps: StepDeps,
): Promise<PromotionRecord> {
  const where = `${options.owner}/${options.repo}`;
  const already = await retry(
    async () => {
      const pkg = await client.getPackage(options.owner, options.repo, item.slug_perm);
      if (pkg.is_quarantined) return true;
      await client.quarantinePackage(options.owner, options.repo, item.slug_perm);
      return false;
    },
    {
      ...deps.timing,
      retries: options.retries,
      shouldRetry: (err) => (isTransientFailure(err) ? retryAfterOf(err) : false),
      onRetry: (notice) => runtime.info(describeRetry(`Quarantining ${describePushed(item)}`, notice)),
      ...(deps.now ? { now: deps.now } : {}),
    },
  );
  runtime.info(
    already
      ? `${describePushed(item)} in ${where} is already quarantined.`
      : `Quarantined ${describePushed(item)} in ${where}: it failed the gate.`,
  );
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
export async function promotePackages(
  runtime: Runtime,
  client: RepositoryClient,
  options: PromoteStepOptions,
  deps: StepDeps = {},
): Promise<PromoteResult> {
  const promotions: PromotionRecord[] = [];
  for (const item of options.packages) {
    if (options.gateResult === 'pass') {
      promotions.push(await promoteOne(runtime, client, options, item, deps));
      continue;
    }
    const failedItself = !options.failed || options.failed.has(item.slug_perm);
    if (options.quarantineOnFail && failedItself) {
      promotions.push(await quarantineOne(runtime, client, options, item, deps));
    } else {
      runtime.info(`Not promoting ${describePushed(item)}: the gate failed.`);
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
  runtime.setOutput(PromoteOutput.Promoted, JSON.stringify(promotions));
  const refusals = promotions
    .filter((p) => p.refused)
    .map((p) => `${p.name} ${p.version} was not promoted: ${p.detail ?? 'refused'}.`);
  return { promotions, refusals };
}
