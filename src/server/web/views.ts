import type { AuditLogEntry } from '../../api/audit.js';
import type { Package } from '../../api/packages.js';
import type { Repository } from '../../api/repos.js';
import type { SecurityOverview } from '../../api/security-overview.js';
import type { VulnerabilityScanResults } from '../../api/vulnerabilities.js';
import { actionForm, type Viewer } from './layout.js';
import { html, pathOf, type Html, type HtmlValue } from './html.js';

/** A link to a package list filtered by a search, or the bare number when no search lists it. */
function counted(n: number, listUrl: string, query: string | undefined): Html {
  if (query === undefined) return html`${n}`;
  return html`<a href="${query ? `${listUrl}?q=${encodeURIComponent(query)}` : listUrl}">${n}</a>`;
}

function row(label: string, n: number, listUrl: string, query: string | undefined, cls = ''): Html {
  return html`<dt class="${cls}">${label}</dt>
    <dd>${counted(n, listUrl, query)}</dd>`;
}

function ageText(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} days ago`;
}

/**
 * The security scanning cards: scan state, policy outcome, highest severity, scan age (a small
 * histogram), coverage, and the advisory data's age per ecosystem. Every count links to the
 * packages behind it in `listUrl` (the repository's or the org's package list).
 */
export function overviewCards(o: SecurityOverview, listUrl: string, now: Date): Html {
  const q = o.queries;
  const ageMax = Math.max(1, o.age.day, o.age.week, o.age.month, o.age.older);
  // Widths are classes (w0–w6), not style attributes, which the Content-Security-Policy refuses.
  const bar = (n: number) => html`<span class="bar w${Math.round((n / ageMax) * 6)}"></span>`;
  const oldest = o.age.oldest_scan_at
    ? ageText(Math.max(0, (now.getTime() - Date.parse(o.age.oldest_scan_at)) / 1000))
    : 'no scan yet';
  return html`<section class="cards" aria-label="Security scanning">
    <div class="card">
      <h2>Packages</h2>
      <p class="big">${counted(o.packages, listUrl, '')}</p>
      <dl>
        ${row('Scanned', o.scan.scanned, listUrl, q.scanned)}
        ${row('Awaiting scan', o.scan.awaiting, listUrl, q.awaiting)}
        ${row('Not scanned', o.scan.not_scanned, listUrl, q.not_scanned)}
      </dl>
    </div>
    <div class="card">
      <h2>Policies</h2>
      <dl>
        ${row('Pass', o.policy.pass, listUrl, q.pass, 'ok')}
        ${row('Fail', o.policy.fail, listUrl, q.fail, 'bad')}
        ${row('Quarantined', o.policy.quarantined, listUrl, q.quarantined)}
      </dl>
    </div>
    <div class="card">
      <h2>Highest severity found</h2>
      <dl>
        ${(['Critical', 'High', 'Medium', 'Low', 'Unknown', 'None'] as const).map((level) =>
          row(level, o.severity[level], listUrl, q[level], `sev-${level}`),
        )}
      </dl>
    </div>
    <div class="card">
      <h2>Scan age</h2>
      <p>Oldest: <strong>${oldest}</strong></p>
      <dl>
        ${(
          [
            ['Within a day', 'day'],
            ['Within a week', 'week'],
            ['Within 30 days', 'month'],
            ['Older', 'older'],
          ] as const
        ).map(
          ([label, key]) =>
            html`<dt>${label}</dt>
              <dd>${bar(o.age[key])} ${counted(o.age[key], listUrl, q[key])}</dd>`,
        )}
      </dl>
    </div>
    <div class="card">
      <h2>Coverage</h2>
      <dl>${row('With components not evaluated', o.coverage.with_gaps, listUrl, q.with_gaps)}</dl>
    </div>
    <div class="card">
      <h2>Advisory data</h2>
      <dl>
        ${
          o.advisories.length === 0
            ? html`<dt class="bad">None loaded</dt>
                <dd></dd>`
            : o.advisories.map(
                (a) =>
                  html`<dt>${a.ecosystem} (${a.advisories})</dt>
                    <dd class="${a.age_seconds === null || a.age_seconds > 172_800 ? 'bad' : ''}">
                      ${ageText(a.age_seconds)}
                    </dd>`,
              )
        }
      </dl>
    </div>
  </section>`;
}

/**
 * The newest packages that fail a policy or are quarantined, each linked to its page, and a link
 * to all of them: the overview's answer to "what needs attention now".
 */
export function failingList(org: string, items: Package[], count: number, allUrl: string): Html {
  if (items.length === 0) return html`<p class="ok">No package fails a policy.</p>`;
  return html`<table>
    <caption class="muted">
      Newest first;
      <a href="${allUrl}">all ${count}</a>
    </caption>
    <thead>
      <tr>
        <th scope="col">Package</th>
        <th scope="col">File</th>
        <th scope="col">Repository</th>
        <th scope="col">Status</th>
        <th scope="col">Scan</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (p) =>
          html`<tr>
            <th scope="row">
              <a href="${pathOf('ui', org, p.repository, p.slug_perm)}">${p.name}</a>
              <span class="muted">${p.version}</span>
            </th>
            <td><code>${p.filename}</code></td>
            <td>${p.repository}</td>
            <td class="${p.is_quarantined ? 'bad' : ''}">${p.status_str}</td>
            <td>${p.security_scan_status ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The repositories of an org, each with its scan and policy counts linked to its packages. */
export function repositoryTable(org: string, rows: { repo: Repository; overview: SecurityOverview }[]): Html {
  if (rows.length === 0) return html`<p class="muted">No repository you can read.</p>`;
  return html`<table>
    <caption class="muted">
      Repositories you can read
    </caption>
    <thead>
      <tr>
        <th scope="col">Repository</th>
        <th scope="col">Packages</th>
        <th scope="col">Scanned</th>
        <th scope="col">Awaiting</th>
        <th scope="col">Not scanned</th>
        <th scope="col">Fail</th>
        <th scope="col">Critical</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(({ repo, overview: o }) => {
        const list = pathOf('ui', org, repo.slug);
        return html`<tr>
          <th scope="row"><a href="${list}">${repo.name}</a></th>
          <td>${counted(o.packages, list, '')}</td>
          <td>${counted(o.scan.scanned, list, o.queries.scanned)}</td>
          <td>${counted(o.scan.awaiting, list, o.queries.awaiting)}</td>
          <td>${counted(o.scan.not_scanned, list, o.queries.not_scanned)}</td>
          <td>${counted(o.policy.fail, list, o.queries.fail)}</td>
          <td>${counted(o.severity.Critical, list, o.queries.Critical)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** A page of packages with the search box of the API's query language; `repo` null: the whole org. */
export function packageTable(
  org: string,
  repo: string | null,
  query: string,
  items: Package[],
  count: number,
): Html {
  return html`<form method="get" role="search">
      <label for="q">Search packages</label>
      <input
        type="search"
        id="q"
        name="q"
        value="${query}"
        size="50"
        placeholder="name:left-pad scan:vulnerable severity:critical"
      />
      <button type="submit">Search</button>
    </form>
    <p class="muted">
      ${count}
      package${count === 1 ? '' : 's'}${query ? html` match <code>${query}</code>` : ''}${
        count > items.length ? `; the first ${items.length} are shown` : ''
      }.
    </p>
    <table>
      <thead>
        <tr>
          <th scope="col">Package</th>
          ${repo === null ? html`<th scope="col">Repository</th>` : ''}
          <th scope="col">Version</th>
          <th scope="col">File</th>
          <th scope="col">Status</th>
          <th scope="col">Scan</th>
          <th scope="col">Tags</th>
          <th scope="col">Uploaded</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (p) =>
            html`<tr>
              <th scope="row"><a href="${pathOf('ui', org, p.repository, p.slug_perm)}">${p.name}</a></th>
              ${repo === null ? html`<td><a href="${pathOf('ui', org, p.repository)}">${p.repository}</a></td>` : ''}
              <td>${p.version}</td>
              <td><code>${p.filename}</code> <span class="muted">${p.format}</span></td>
              <td class="${p.is_quarantined ? 'bad' : ''}">${p.status_str}</td>
              <td>${p.security_scan_status ?? ''}</td>
              <td>
                ${Object.values(p.tags ?? {})
                  .flat()
                  .join(', ')}
              </td>
              <td>${p.uploaded_at}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function definition(label: string, value: HtmlValue): Html {
  return html`<tr>
    <th scope="row">${label}</th>
    <td>${value}</td>
  </tr>`;
}

/** What the signed-in caller may do to a package, from its privilege on the repository. */
export interface PackageActions {
  viewer: Viewer;
  privilege: 'Read' | 'Write' | 'Admin';
  /** Repositories the package may be copied or moved to. */
  destinations: Repository[];
}

/** A package: metadata and checksums, build identity, findings, coverage, actions and trail. */
export function packagePage(
  org: string,
  repo: string,
  p: Package,
  scan: VulnerabilityScanResults | null,
  trail: AuditLogEntry[],
  actions: PackageActions,
): Html {
  const base = pathOf('ui', org, repo, p.slug_perm);
  const identity = p.identity as Record<string, unknown> | null;
  const findings = scan?.scans.flatMap((s) => s.results.map((r) => ({ target: s.target, ...r }))) ?? [];
  const { viewer, privilege } = actions;
  const admin = privilege === 'Admin';
  const write = privilege !== 'Read';
  const destinations = actions.destinations.filter((d) => d.slug !== repo);
  // One select per form, each with its own id, so every label names exactly one control.
  const select = (action: string) =>
    html`<label for="${action}-dest">Repository</label>
      <select id="${action}-dest" name="destination">
        ${destinations.map((d) => html`<option value="${d.slug}">${d.name}</option>`)}
      </select>`;
  return html`<h1>${p.name} <span class="muted">${p.version}</span></h1>
    ${p.is_quarantined ? html`<p class="notice error" role="alert">This package is quarantined: it cannot be downloaded.</p>` : ''}
    ${
      write || admin
        ? html`<section class="actions" aria-label="Actions">
            ${
              admin
                ? p.is_quarantined
                  ? actionForm(
                      `${base}release`,
                      viewer,
                      'Release from quarantine',
                      `Release ${p.name} ${p.version} from quarantine?`,
                    )
                  : actionForm(
                      `${base}quarantine`,
                      viewer,
                      'Quarantine',
                      `Quarantine ${p.name} ${p.version}?`,
                      '',
                      true,
                    )
                : ''
            }
            ${admin ? actionForm(`${base}rescan`, viewer, 'Rescan', `Scan ${p.name} ${p.version} again?`) : ''}
            ${
              write
                ? actionForm(
                    `${base}tag`,
                    viewer,
                    'Add tag',
                    `Tag ${p.name} ${p.version}?`,
                    html`<label for="tag">Tag</label
                      ><input type="text" id="tag" name="tag" required maxlength="64" />`,
                  )
                : ''
            }
            ${
              write && destinations.length > 0
                ? actionForm(`${base}copy`, viewer, 'Copy', `Copy ${p.name} ${p.version}?`, select('copy'))
                : ''
            }
            ${
              admin && destinations.length > 0
                ? actionForm(
                    `${base}move`,
                    viewer,
                    'Move',
                    `Move ${p.name} ${p.version} out of ${repo}?`,
                    select('move'),
                  )
                : ''
            }
          </section>`
        : ''
    }
    <h2>Package</h2>
    <table>
      ${definition('Format', p.format)} ${definition('File', html`<code>${p.filename}</code>`)}
      ${definition('Size', `${p.size} bytes`)} ${definition('Status', p.status_str)}
      ${definition('Security scan', p.security_scan_status ?? '')}
      ${definition(
        'Tags',
        Object.values(p.tags ?? {})
          .flat()
          .join(', '),
      )}
      ${definition('SHA-256', html`<code>${p.checksum_sha256}</code>`)}
      ${definition('MD5', html`<code>${p.checksum_md5}</code>`)}
      ${definition('Uploaded', `${p.uploaded_at} by ${p.uploader}`)}
      ${definition('Description', p.description ?? '')}
    </table>
    <h2>Build identity</h2>
    ${
      identity
        ? html`<table>
            ${Object.entries(identity).map(([k, v]) => definition(k, html`<code>${typeof v === 'string' ? v : JSON.stringify(v)}</code>`))}
          </table>`
        : html`<p class="muted">Uploaded with an API key: no CI identity.</p>`
    }
    <h2>Findings</h2>
    ${
      findings.length === 0
        ? html`<p class="muted">${scan ? 'The latest scan found no vulnerability.' : 'Not scanned yet.'}</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Advisory</th>
                <th scope="col">Component</th>
                <th scope="col">Installed</th>
                <th scope="col">Fixed in</th>
                <th scope="col">Found in</th>
              </tr>
            </thead>
            <tbody>
              ${findings.map(
                (f) =>
                  html`<tr>
                    <td class="sev-${f.severity}">${f.severity}</td>
                    <td>
                      ${f.references[0] ? html`<a href="${safeLink(f.references[0])}" rel="noreferrer noopener">${f.vulnerability_id}</a>` : f.vulnerability_id}<br /><span
                        class="muted"
                        >${f.title}</span
                      >
                    </td>
                    <td>${f.package_name}</td>
                    <td>${f.affected_version.raw_version ?? f.affected_version.version}</td>
                    <td>
                      ${f.fixed_version ? (f.fixed_version.raw_version ?? f.fixed_version.version) : html`<span class="muted">no fix</span>`}
                    </td>
                    <td><code>${f.target}</code></td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${
      scan?.coverage
        ? html`<h2>Coverage</h2>
            <p>
              ${scan.coverage.evaluated} component${scan.coverage.evaluated === 1 ? '' : 's'} evaluated,
              ${scan.coverage.not_evaluated} not evaluated.
            </p>
            ${
              scan.coverage.not_evaluated_components.length > 0
                ? html`<table>
                    <thead>
                      <tr>
                        <th scope="col">Component</th>
                        <th scope="col">Version</th>
                        <th scope="col">Why not</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${scan.coverage.not_evaluated_components.map(
                        (c) =>
                          html`<tr>
                            <td>${c.ecosystem} ${c.name}</td>
                            <td>${c.version}</td>
                            <td>${c.detail}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
                : ''
            }`
        : ''
    }
    <h2>Audit trail</h2>
    ${auditTable(trail)}`;
}

/** Only http(s) advisory links become links; anything else is shown as text. */
function safeLink(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

/** Audit events, as the audit log API returns them. */
export function auditTable(items: AuditLogEntry[]): Html {
  if (items.length === 0) return html`<p class="muted">No event.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">When</th>
        <th scope="col">Event</th>
        <th scope="col">Actor</th>
        <th scope="col">Object</th>
        <th scope="col">Target</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (e) =>
          html`<tr>
            <td>${e.event_at}</td>
            <td><code>${e.event}</code></td>
            <td>${e.actor}</td>
            <td>${e.object} <span class="muted">${e.object_kind}</span></td>
            <td>${e.target ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
