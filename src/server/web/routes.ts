import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Package } from '../../api/packages.js';
import type { Repository } from '../../api/repos.js';
import type { VulnerabilityScanResults } from '../../api/vulnerabilities.js';
import type { Actor } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { listAuditLog } from '../domain/audit-log.js';
import { requestPackageScan } from '../domain/packages.js';
import { getPackage, listOrgPackages, listPackageAuditTrail, listPackages } from '../domain/package-query.js';
import { tagPackage } from '../domain/package-tags.js';
import { copyPackage, movePackage } from '../domain/promotion.js';
import { setQuarantine } from '../domain/quarantine.js';
import { listRepos, resolveRepo } from '../domain/repos.js';
import { getPackageScan, listScansOfPackage } from '../domain/scan-lists.js';
import { OVERVIEW_QUERIES, securityOverview } from '../domain/security-overview.js';
import {
  resolveWebSession,
  signInWithCredential,
  signInWithPassword,
  signOut,
  WEB_SESSION_HOURS,
} from '../domain/web-sessions.js';
import { ERROR_STATUS } from '../http/errors.js';
import type { App } from '../http/types.js';
import type { AppServices } from '../services.js';
import { ASSETS } from './assets.js';
import { html, pathOf, type Html } from './html.js';
import { page, type Viewer } from './layout.js';
import {
  auditTable,
  failingList,
  overviewCards,
  packagePage,
  packageTable,
  repositoryTable,
} from './views.js';
import { settingsPage, webhooksPage, type OrgSettings } from './settings.js';
import { listServices } from '../domain/services.js';
import { disableUser, issueUserKey, listUsers } from '../domain/user-admin.js';
import { listTeams } from '../domain/teams.js';
import { listProviders } from '../oidc/providers.js';
import { listPolicies, policyOrg, policyView } from '../policies/policies.js';
import { listWebhookDeliveries, listWebhooks } from '../domain/webhook-lists.js';
import { findWebhook, webhookScope } from '../hooks/webhooks.js';

const SESSION_COOKIE = 'airlock_session';
const SIGNIN_COOKIE = 'airlock_signin';
const PAGE_SIZE = 50;

/**
 * Scripts and styles only from the service itself, no inline script or style, no framing, forms
 * only to the service: user-supplied text can neither run nor restyle a page.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

declare module 'fastify' {
  interface FastifyRequest {
    /** The web session of a page request, when signed in. */
    web?: { viewer: Viewer; actor: Actor } | null;
  }
}

function cookies(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

function setCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  value: string,
  maxAge: number,
): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  void reply.header(
    'Set-Cookie',
    `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`,
  );
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

function send(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .send(body.text);
}

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' ? value : '';
}

function signInPage(token: string, message: string | null): Html {
  return page(
    'Sign in',
    null,
    html`<div class="signin">
      <h1>Sign in to Airlock</h1>
      ${message ? html`<p class="notice error" role="alert">${message}</p>` : ''}
      <form method="post" action="/sign-in">
        <input type="hidden" name="_csrf" value="${token}" />
        <fieldset>
          <legend>With your email and password</legend>
          <label for="email">Email</label
          ><input type="email" id="email" name="email" autocomplete="username" size="30" />
          <label for="password">Password</label
          ><input type="password" id="password" name="password" autocomplete="current-password" size="30" />
        </fieldset>
        <fieldset>
          <legend>
            Or with an API key (with your email and a new password above, on your first sign-in, to set the
            password)
          </legend>
          <label for="api_key">API key</label
          ><input type="password" id="api_key" name="api_key" autocomplete="off" size="30" />
        </fieldset>
        <button type="submit">Sign in</button>
      </form>
    </div>`,
  );
}

/**
 * The web interface: server-rendered pages over the same domain functions as the API (so the
 * same privileges apply), sessions in HttpOnly cookies, a CSRF token in every form, and a
 * Content-Security-Policy without inline scripts. Registered at the root only, not under /v1.
 */
export function registerWebRoutes(app: App, ctx: ServiceContext, services: AppServices): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(
      null,
      Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))),
    );
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('Content-Security-Policy', CSP);
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('Referrer-Policy', 'same-origin');
  });
  app.addHook('preHandler', async (request) => {
    const cookie = cookies(request)[SESSION_COOKIE];
    const session = cookie ? await resolveWebSession(ctx, cookie, request.ip ?? null) : null;
    request.web = session?.actor.principal
      ? {
          actor: session.actor,
          viewer: {
            name: session.actor.principal.name,
            email: session.actor.principal.email ?? null,
            org: session.actor.principal.orgSlug,
            csrf: session.csrf,
          },
        }
      : null;
  });
  app.setErrorHandler((error, request, reply) => {
    const err = error instanceof ServiceError ? error : null;
    const status = err ? ERROR_STATUS[err.code] : 500;
    if (status === 401 && !request.web) return reply.redirect('/sign-in', 303);
    if (status >= 500) request.log.error({ err: error }, 'page failed');
    const message = err ? err.message : 'Something went wrong; the service log says what.';
    return send(
      reply,
      page(
        `Error ${status}`,
        request.web?.viewer ?? null,
        html`<h1>Error ${status}</h1>
          <p>${message}</p>`,
      ),
      status,
    );
  });

  const signedIn = (request: FastifyRequest): { viewer: Viewer; actor: Actor } => {
    if (!request.web) throw new ServiceError('not_authenticated', 'Sign in first.');
    return request.web;
  };
  /** A change: checks the session's CSRF token; without confirmation, asks for it on a page. */
  const change = (
    request: FastifyRequest,
    reply: FastifyReply,
    question: string,
    back = request.url.replace(/[^/]+$/, ''),
  ): { viewer: Viewer; actor: Actor } | null => {
    const web = signedIn(request);
    if (!sameToken(field(request.body, '_csrf'), web.viewer.csrf))
      throw new ServiceError(
        'permission_denied',
        'The form is out of date or not from this site: reload the page and try again.',
      );
    if (field(request.body, 'confirmed') === '1') return web;
    const hidden = Object.entries((request.body as Record<string, string>) ?? {})
      .filter(([k]) => k !== 'confirmed')
      .map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`);
    void send(
      reply,
      page(
        'Confirm',
        web.viewer,
        html`<h1>${question}</h1>
          <form method="post" action="${request.url}">
            ${hidden}<input type="hidden" name="confirmed" value="1" /><button type="submit">Yes</button>
            <a href="${back}">Cancel</a>
          </form>`,
      ),
    );
    return null;
  };

  const assetRoute = (asset: (typeof ASSETS)['css']) =>
    app.get(asset.path, { config: { public: true } }, async (_request, reply) =>
      reply
        .header('Content-Type', asset.type)
        .header('Cache-Control', 'public, max-age=31536000, immutable')
        .send(asset.body),
    );
  assetRoute(ASSETS.css);
  assetRoute(ASSETS.js);
  assetRoute(ASSETS.icon);

  app.get('/', { config: { public: true } }, async (request, reply) =>
    reply.redirect(request.web ? pathOf('ui', request.web.viewer.org) : '/sign-in', 303),
  );
  app.get('/sign-in', { config: { public: true } }, async (request, reply) => {
    const token = crypto.randomBytes(24).toString('base64url');
    setCookie(request, reply, SIGNIN_COOKIE, token, 3600);
    return send(reply, signInPage(token, null));
  });
  app.post('/sign-in', { config: { public: true } }, async (request, reply) => {
    const token = cookies(request)[SIGNIN_COOKIE];
    const fresh = crypto.randomBytes(24).toString('base64url');
    const retry = (message: string, status: number) => {
      setCookie(request, reply, SIGNIN_COOKIE, fresh, 3600);
      return send(reply, signInPage(fresh, message), status);
    };
    if (!token || !sameToken(field(request.body, '_csrf'), token))
      return retry('The sign-in form expired: try again.', 403);
    const apiKey = field(request.body, 'api_key').trim();
    const email = field(request.body, 'email').trim();
    const password = field(request.body, 'password');
    if (!apiKey && !(email && password)) return retry('Enter your email and password, or an API key.', 400);
    try {
      // Email, password and a key: a user's first sign-in, setting the password with the one-time key.
      const session = email
        ? await signInWithPassword(ctx, email, password, request.ip ?? null, apiKey || undefined)
        : await signInWithCredential(ctx, apiKey, request.ip ?? null);
      setCookie(request, reply, SESSION_COOKIE, session.cookie, WEB_SESSION_HOURS * 3600);
      return reply.redirect('/', 303);
    } catch (err) {
      if (err instanceof ServiceError && ERROR_STATUS[err.code] < 500) {
        const status = ERROR_STATUS[err.code];
        const message = status === 401 ? (email ? err.message : 'That API key is not valid.') : err.message;
        return retry(message, status === 401 ? 401 : 400);
      }
      throw err;
    }
  });
  app.post('/sign-out', { config: { public: true } }, async (request, reply) => {
    const web = signedIn(request);
    if (!sameToken(field(request.body, '_csrf'), web.viewer.csrf))
      throw new ServiceError('permission_denied', 'The form is out of date: reload the page and try again.');
    await signOut(ctx, cookies(request)[SESSION_COOKIE]!);
    setCookie(request, reply, SESSION_COOKIE, '', 0);
    return reply.redirect('/sign-in', 303);
  });

  type OrgParams = { Params: { org: string } };
  type RepoParams = { Params: { org: string; repo: string }; Querystring: { q?: string; page?: string } };
  type PackageParams = { Params: { org: string; repo: string; id: string } };
  const pageOpts = { config: { public: true } } as const;

  const readableRepos = async (actor: Actor, org: string): Promise<Repository[]> =>
    (await listRepos(ctx, actor, org, { offset: 0, size: 100 })).items;

  app.get<OrgParams>('/ui/:org/', pageOpts, async (request, reply) => {
    const { viewer, actor } = signedIn(request);
    const { org } = request.params;
    const overview = await securityOverview(ctx, actor, org, null);
    const repos = await readableRepos(actor, org);
    const rows = await Promise.all(
      repos.map(async (repo) => ({ repo, overview: await securityOverview(ctx, actor, org, repo.slug) })),
    );
    const packages = pathOf('ui', org, '-', 'packages');
    const failing = await listOrgPackages(
      ctx,
      actor,
      org,
      { query: OVERVIEW_QUERIES.fail },
      { offset: 0, size: 5 },
    );
    return send(
      reply,
      page(
        'Security scanning',
        viewer,
        html`<h1>Security scanning: ${org}</h1>
          ${overviewCards(overview, packages, ctx.clock())}
          <h2>Failing packages</h2>
          ${failingList(org, failing.items, failing.count, `${packages}?q=${encodeURIComponent(OVERVIEW_QUERIES.fail!)}`)}
          <h2>By repository</h2>
          ${repositoryTable(org, rows)}`,
      ),
    );
  });
  app.get<OrgParams & { Querystring: { q?: string } }>(
    '/ui/:org/-/packages/',
    pageOpts,
    async (request, reply) => {
      const { viewer, actor } = signedIn(request);
      const { org } = request.params;
      const q = request.query.q ?? '';
      const { items, count } = await listOrgPackages(
        ctx,
        actor,
        org,
        { ...(q ? { query: q } : {}) },
        { offset: 0, size: PAGE_SIZE },
      );
      return send(
        reply,
        page(
          'Packages',
          viewer,
          html`<h1>Packages of ${org}</h1>
            <p class="muted">In every repository you can read.</p>
            ${packageTable(org, null, q, items, count)}`,
        ),
      );
    },
  );
  app.get<OrgParams>('/ui/:org/-/repositories/', pageOpts, async (request, reply) => {
    const { viewer, actor } = signedIn(request);
    const repos = await readableRepos(actor, request.params.org);
    return send(
      reply,
      page(
        'Repositories',
        viewer,
        html`<h1>Repositories</h1>
          <table>
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              ${repos.map(
                (r) =>
                  html`<tr>
                    <th scope="row"><a href="${pathOf('ui', request.params.org, r.slug)}">${r.name}</a></th>
                    <td>${r.repository_type_str}</td>
                    <td>${r.description ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
      ),
    );
  });
  app.get<OrgParams & { Querystring: { q?: string } }>(
    '/ui/:org/-/audit-log/',
    pageOpts,
    async (request, reply) => {
      const { viewer, actor } = signedIn(request);
      const q = request.query.q ?? '';
      const { items, count } = await listAuditLog(ctx, actor, request.params.org, null, q || undefined, {
        offset: 0,
        size: 100,
      });
      return send(
        reply,
        page(
          'Audit log',
          viewer,
          html`<h1>Audit log</h1>
            <form method="get" role="search">
              <label for="q">Filter</label>
              <input
                type="search"
                id="q"
                name="q"
                value="${q}"
                size="50"
                placeholder="event:package.quarantined actor:ci-bot"
              />
              <button type="submit">Filter</button>
            </form>
            <p class="muted">${count} event${count === 1 ? '' : 's'}, newest first.</p>
            ${auditTable(items)}`,
        ),
      );
    },
  );
  app.get<RepoParams>('/ui/:org/:repo/', pageOpts, async (request, reply) => {
    const { viewer, actor } = signedIn(request);
    const { org, repo } = request.params;
    const q = request.query.q ?? '';
    const overview = await securityOverview(ctx, actor, org, repo);
    const { items, count } = await listPackages(
      ctx,
      actor,
      org,
      repo,
      { ...(q ? { query: q } : {}) },
      { offset: 0, size: PAGE_SIZE },
    );
    const list = pathOf('ui', org, repo);
    return send(
      reply,
      page(
        repo,
        viewer,
        html`<h1>${org} / ${repo}</h1>
          <p><a href="${pathOf('ui', org, repo, '-', 'webhooks')}">Webhooks</a></p>
          ${overviewCards(overview, list, ctx.clock())}
          <h2>Packages</h2>
          ${packageTable(org, repo, q, items, count)}`,
      ),
    );
  });
  app.get<PackageParams & { Querystring: { done?: string } }>(
    '/ui/:org/:repo/:id/',
    pageOpts,
    async (request, reply) => {
      const { viewer, actor } = signedIn(request);
      const { org, repo, id } = request.params;
      const access = await resolveRepo(ctx, actor, org, repo, 'Read');
      const pkg: Package = await getPackage(ctx, actor, org, repo, id);
      const scans = await listScansOfPackage(ctx, actor, org, repo, id).catch(() => []);
      const latest = scans[0];
      const scan: VulnerabilityScanResults | null = latest
        ? await getPackageScan(ctx, actor, org, repo, id, latest.identifier)
        : null;
      const trail = await listPackageAuditTrail(ctx, actor, org, repo, id, { offset: 0, size: 100 });
      const destinations = access.privilege === 'Read' ? [] : await readableRepos(actor, org);
      return send(
        reply,
        page(
          `${pkg.name} ${pkg.version}`,
          viewer,
          packagePage(org, repo, pkg, scan, trail.items, {
            viewer,
            privilege: access.privilege,
            destinations,
          }),
          request.query.done ?? null,
        ),
      );
    },
  );

  /** A section the caller may not read shows why instead of failing the page. */
  const orDenied = async <T>(load: () => Promise<T[]>): Promise<T[] | string> => {
    try {
      return await load();
    } catch (err) {
      if (err instanceof ServiceError && ERROR_STATUS[err.code] === 403) return err.message;
      throw err;
    }
  };
  app.get<OrgParams>('/ui/:org/-/settings/', pageOpts, async (request, reply) => {
    const { viewer, actor } = signedIn(request);
    const { org } = request.params;
    const all = { offset: 0, size: 500 };
    const settings: OrgSettings = {
      users: await orDenied(async () => (await listUsers(ctx, actor, org, all)).items),
      services: await orDenied(async () =>
        (await listServices(ctx, actor, org, all)).items.map((s) => ({
          name: s.name,
          slug: s.slug,
          role: s.role,
          description: s.description,
        })),
      ),
      teams: await orDenied(async () => (await listTeams(ctx, actor, org, all)).items),
      providers: await orDenied(async () => (await listProviders(ctx, actor, org, all)).items),
      policies: await orDenied(async () => {
        const found = await policyOrg(ctx, actor, org, false);
        const rows = [];
        for (const kind of ['vulnerability', 'license', 'deny'] as const) {
          for (const row of await listPolicies(ctx, found.id, kind)) {
            const view = policyView(kind, row);
            const action =
              kind === 'deny'
                ? 'Block downloads'
                : `${kind === 'vulnerability' ? `${String(view.min_severity)} or worse; ` : ''}${view.on_violation_quarantine ? 'quarantine' : 'flag'}`;
            rows.push({ kind, name: row.name, query: row.package_query_string, action });
          }
        }
        return rows;
      }),
    };
    return send(
      reply,
      page(
        'Settings',
        viewer,
        settingsPage(org, viewer, settings),
        (request.query as { done?: string }).done,
      ),
    );
  });
  type UserParams = { Params: { org: string; user: string } };
  app.post<UserParams>('/ui/:org/-/users/:user/key', pageOpts, async (request, reply) => {
    const back = pathOf('ui', request.params.org, '-', 'settings');
    const web = change(request, reply, 'Give this user a new one-time key?', back);
    if (!web) return reply;
    const { org, user } = request.params;
    const issued = await issueUserKey(ctx, web.actor, org, user);
    // The key is shown in this response only: a redirect would put it in a URL, and so in logs.
    return send(
      reply,
      page(
        'New one-time key',
        web.viewer,
        html`<h1>A new one-time key for ${issued.email}</h1>
          <p>
            Give it to them by a safe channel: it is shown only now. They sign in with their email, a new
            password and this key; their old key and password no longer work.
          </p>
          <p><code class="secret">${issued.api_key}</code></p>
          <p><a href="${pathOf('ui', org, '-', 'settings')}">Back to the settings</a></p>`,
      ),
    );
  });
  app.post<UserParams>('/ui/:org/-/users/:user/disable', pageOpts, async (request, reply) => {
    const web = change(
      request,
      reply,
      'Disable this user?',
      pathOf('ui', request.params.org, '-', 'settings'),
    );
    if (!web) return reply;
    const { org, user } = request.params;
    await disableUser(ctx, web.actor, org, user);
    return reply.redirect(
      `${pathOf('ui', org, '-', 'settings')}?done=${encodeURIComponent(`Disabled ${user}.`)}`,
      303,
    );
  });
  app.get<RepoParams>('/ui/:org/:repo/-/webhooks/', pageOpts, async (request, reply) => {
    const { viewer, actor } = signedIn(request);
    const { org, repo } = request.params;
    const hooks = (await listWebhooks(ctx, actor, org, repo, { offset: 0, size: 100 })).items;
    const withDeliveries = await Promise.all(
      hooks.map(async (hook) => ({
        hook,
        deliveries: (
          await listWebhookDeliveries(ctx, actor, org, repo, hook.slug_perm, { offset: 0, size: 20 })
        ).items,
      })),
    );
    return send(
      reply,
      page(
        'Webhooks',
        viewer,
        webhooksPage(org, repo, viewer, withDeliveries),
        (request.query as { done?: string }).done ?? null,
      ),
    );
  });
  app.post<{ Params: { org: string; repo: string; id: string } }>(
    '/ui/:org/:repo/-/webhooks/:id/ping',
    pageOpts,
    async (request, reply) => {
      const web = change(
        request,
        reply,
        'Send a test delivery?',
        pathOf('ui', request.params.org, request.params.repo, '-', 'webhooks'),
      );
      if (!web) return reply;
      const { org, repo, id } = request.params;
      const hook = await findWebhook(ctx, await webhookScope(ctx, web.actor, org, repo), id);
      await services.webhooks.ping(hook.id);
      return reply.redirect(
        `${pathOf('ui', org, repo, '-', 'webhooks')}?done=${encodeURIComponent('Ping queued.')}`,
        303,
      );
    },
  );

  const ACTIONS: Record<
    string,
    {
      question: string;
      /** Does it; says what was done, and where to show it when not on the same package page. */
      run(
        actor: Actor,
        p: PackageParams['Params'],
        body: unknown,
      ): Promise<string | { done: string; at: string }>;
    }
  > = {
    quarantine: {
      question: 'Quarantine this package?',
      run: async (actor, p) => (await setQuarantine(ctx, actor, p.org, p.repo, p.id, {}), 'Quarantined.'),
    },
    release: {
      question: 'Release this package from quarantine?',
      run: async (actor, p) => (
        await setQuarantine(ctx, actor, p.org, p.repo, p.id, { release: true }),
        'Released from quarantine.'
      ),
    },
    rescan: {
      question: 'Scan this package again?',
      async run(actor, p) {
        await resolveRepo(ctx, actor, p.org, p.repo, 'Write');
        const pkg = await requestPackageScan(ctx, actor, p.org, p.repo, p.id);
        await services.scan.enqueue(pkg.slug_perm);
        return 'A new scan is queued.';
      },
    },
    tag: {
      question: 'Add this tag?',
      run: async (actor, p, body) => {
        await tagPackage(ctx, actor, p.org, p.repo, p.id, { action: 'add', tags: [field(body, 'tag')] });
        return `Tagged ${field(body, 'tag')}.`;
      },
    },
    copy: {
      question: 'Copy this package?',
      run: async (actor, p, body) => {
        const copy = await copyPackage(ctx, actor, p.org, p.repo, p.id, {
          destination: field(body, 'destination'),
        });
        return `Copied to ${copy.repository}.`;
      },
    },
    move: {
      question: 'Move this package?',
      run: async (actor, p, body) => {
        const moved = await movePackage(ctx, actor, p.org, p.repo, p.id, {
          destination: field(body, 'destination'),
        });
        // The package keeps its identifier and now lives in the destination: show it there.
        return {
          done: `Moved to ${moved.repository}.`,
          at: pathOf('ui', p.org, moved.repository, moved.slug_perm),
        };
      },
    },
  };
  app.post<PackageParams & { Params: { action: string } }>(
    '/ui/:org/:repo/:id/:action',
    pageOpts,
    async (request, reply) => {
      const action = ACTIONS[request.params.action];
      if (!action) throw new ServiceError('not_found', `No such action: ${request.params.action}`);
      const web = change(request, reply, action.question);
      if (!web) return reply;
      const result = await action.run(web.actor, request.params, request.body);
      const { org, repo, id } = request.params;
      const { done, at } =
        typeof result === 'string' ? { done: result, at: pathOf('ui', org, repo, id) } : result;
      return reply.redirect(`${at}?done=${encodeURIComponent(done)}`, 303);
    },
  );
}
