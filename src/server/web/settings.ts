import type { Webhook, WebhookDelivery } from '../../api/webhooks.js';
import type { UserSummary } from '../domain/user-admin.js';
import { actionForm, type Viewer } from './layout.js';
import { html, pathOf, type Html, type HtmlValue } from './html.js';

/** A plain table: a header row, then one row per item; a sentence when there is none. */
export function table(caption: string, headers: string[], rows: HtmlValue[][]): Html {
  if (rows.length === 0) return html`<p class="muted">${caption}: none.</p>`;
  return html`<table>
    <caption class="muted">
      ${caption}
    </caption>
    <thead>
      <tr>
        ${headers.map((h) => html`<th scope="col">${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            ${r.map((c) => html`<td>${c}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** What an org's settings page lists; a section the caller may not read says so instead. */
export interface OrgSettings {
  users: UserSummary[] | string;
  services: { name: string; slug: string; role: string; description: string }[] | string;
  teams: { name: string; slug: string; description: string }[] | string;
  providers:
    | { name: string; provider_url: string; enabled: boolean; claims: unknown; service_accounts: string[] }[]
    | string;
  policies: { kind: string; name: string; query: string; action: string }[] | string;
}

function section<T>(title: string, value: T[] | string, render: (items: T[]) => Html): Html {
  return html`<h2>${title}</h2>
    ${typeof value === 'string' ? html`<p class="muted">${value}</p>` : render(value)}`;
}

/** The path of a user's action on the settings page. */
export function userActionPath(org: string, user: string, action: 'key' | 'disable'): string {
  return `${pathOf('ui', org, '-', 'users', user)}${action}`;
}

/**
 * People (with what an org Manager may do: a new one-time key, disable), service accounts,
 * teams, OIDC providers and policies of an organisation.
 */
export function settingsPage(org: string, viewer: Viewer, s: OrgSettings): Html {
  return html`<h1>Organisation settings</h1>
    ${section('Users', s.users, (items) =>
      table(
        'People who sign in',
        ['Name', 'Email', 'Role', 'Web password', 'Key issued', 'Actions'],
        items.map((u) => [
          u.name,
          u.email,
          u.role,
          u.has_password ? 'set' : 'not set yet',
          u.key_created_at,
          html`<div class="actions">
            ${actionForm(
              userActionPath(org, u.slug, 'key'),
              viewer,
              'New one-time key',
              `Give ${u.email} a new one-time key? Their current key and password stop working.`,
            )}
            ${
              u.email === viewer.email
                ? ''
                : actionForm(
                    userActionPath(org, u.slug, 'disable'),
                    viewer,
                    'Disable',
                    `Disable ${u.email}? Their key and sessions stop working at once.`,
                    '',
                    true,
                  )
            }
          </div>`,
        ]),
      ),
    )}
    ${section('Service accounts', s.services, (items) =>
      table(
        'Service accounts',
        ['Name', 'Slug', 'Role', 'Description'],
        items.map((i) => [i.name, html`<code>${i.slug}</code>`, i.role, i.description]),
      ),
    )}
    ${section('Teams', s.teams, (items) =>
      table(
        'Teams',
        ['Name', 'Slug', 'Description'],
        items.map((i) => [i.name, html`<code>${i.slug}</code>`, i.description]),
      ),
    )}
    ${section('OIDC providers', s.providers, (items) =>
      table(
        'Trusted OIDC providers',
        ['Name', 'Issuer', 'Enabled', 'Claims required', 'Service accounts'],
        items.map((i) => [
          i.name,
          html`<code>${i.provider_url}</code>`,
          i.enabled ? 'yes' : 'no',
          html`<code>${JSON.stringify(i.claims)}</code>`,
          i.service_accounts.join(', '),
        ]),
      ),
    )}
    ${section('Policies', s.policies, (items) =>
      table(
        'Policies',
        ['Kind', 'Name', 'Packages', 'On violation'],
        items.map((i) => [i.kind, i.name, html`<code>${i.query}</code>`, i.action]),
      ),
    )}`;
}

/** A repository's webhooks, each with a ping and its latest deliveries. */
export function webhooksPage(
  org: string,
  repo: string,
  viewer: Viewer,
  hooks: { hook: Webhook; deliveries: WebhookDelivery[] }[],
): Html {
  return html`<h1>Webhooks of ${org} / ${repo}</h1>
    ${hooks.length === 0 ? html`<p class="muted">No webhook.</p>` : ''}
    ${hooks.map(
      ({ hook, deliveries }) =>
        html`<section aria-label="Webhook ${hook.target_url}">
          <h2>
            <code>${hook.target_url}</code>
            ${hook.is_active ? '' : html`<span class="muted">(inactive)</span>`}
          </h2>
          <p>Events: ${hook.events.join(', ')}</p>
          <div class="actions">
            ${actionForm(`${pathOf('ui', org, repo, '-', 'webhooks')}${encodeURIComponent(hook.slug_perm)}/ping`, viewer, 'Ping', `Send a test delivery to ${hook.target_url}?`)}
          </div>
          ${table(
            'Latest deliveries',
            ['When', 'Event', 'Attempt', 'Outcome', 'Status', 'Error', 'Duration'],
            deliveries.map((d) => [
              d.attempted_at,
              d.event,
              d.attempt,
              d.outcome,
              d.status_code ?? '',
              d.error ?? '',
              `${d.duration_ms} ms`,
            ]),
          )}
        </section>`,
    )}`;
}
