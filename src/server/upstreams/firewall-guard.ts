import { SYSTEM_ACTOR } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { RepoRef } from '../domain/package-writes.js';
import { inTransaction } from '../store/source.js';
import { blockedMessage, firewallVerdicts } from './firewall.js';

/**
 * Refuses (403 `download_denied`, naming the advisory ids; logged and audited) a version the
 * firewall blocks, whatever the mode. Callers run it before serving any tarball of the
 * repository, its own or an upstream's.
 */
export async function assertNotBlocked(
  ctx: ServiceContext,
  repo: RepoRef,
  format: string,
  name: string,
  version: string,
): Promise<void> {
  const verdict = (await firewallVerdicts(ctx, repo.orgId, format, name, [version])).get(version);
  if (!verdict?.blocked) return;
  const message = blockedMessage({ format, name, version }, verdict);
  ctx.log.warn({ repo: repo.path, name, version, reasons: verdict.reasons }, 'firewall refused a download');
  await inTransaction(ctx, async (trx) => {
    await recordAudit(trx, SYSTEM_ACTOR, ctx.clock(), {
      orgId: repo.orgId,
      repoId: repo.id,
      event: 'firewall.download_refused',
      eventKind: 'action',
      object: `${name} ${version}`,
      objectKind: 'package',
      target: repo.path,
      targetKind: 'repository',
      targetSlugPerm: repo.id,
      context: { format, advisories: verdict.advisories, reasons: verdict.reasons },
    });
  });
  throw new ServiceError('download_denied', message);
}
