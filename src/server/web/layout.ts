import { ASSETS } from './assets.js';
import { html, pathOf, type Html, type HtmlValue } from './html.js';

/** Who is signed in, as the page header shows it. */
export interface Viewer {
  name: string;
  /** A user's email; null for a service account. */
  email: string | null;
  org: string;
  csrf: string;
}

/** A whole page: the header with the org's navigation and the sign-out form, then `body`. */
export function page(title: string, viewer: Viewer | null, body: HtmlValue, notice?: string | null): Html {
  const nav = viewer
    ? html`<nav aria-label="Main">
          <a href="${pathOf('ui', viewer.org)}">Security overview</a>
          <a href="${pathOf('ui', viewer.org, '-', 'packages')}">Packages</a>
          <a href="${pathOf('ui', viewer.org, '-', 'repositories')}">Repositories</a>
          <a href="${pathOf('ui', viewer.org, '-', 'audit-log')}">Audit log</a>
          <a href="${pathOf('ui', viewer.org, '-', 'settings')}">Settings</a>
        </nav>
        <div class="who">
          <span>Signed in as <strong>${viewer.name}</strong></span>
          <form class="inline" method="post" action="/sign-out">
            <input type="hidden" name="_csrf" value="${viewer.csrf}" />
            <button type="submit">Sign out</button>
          </form>
        </div>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Airlock</title>
        <link rel="icon" href="${ASSETS.icon.path}" type="image/svg+xml" />
        <link rel="stylesheet" href="${ASSETS.css.path}" />
        <script src="${ASSETS.js.path}" defer></script>
      </head>
      <body>
        <header><a class="brand" href="/">Airlock</a>${nav}</header>
        <main>${notice ? html`<p class="notice" role="status">${notice}</p>` : ''} ${body}</main>
      </body>
    </html>`;
}

/** A form that changes something: carries the CSRF token and asks for confirmation first. */
export function actionForm(
  action: string,
  viewer: Viewer,
  label: string,
  question: string,
  fields: HtmlValue = '',
  danger = false,
): Html {
  return html`<form method="post" action="${action}" data-confirm="${question}">
    <input type="hidden" name="_csrf" value="${viewer.csrf}" />
    <input type="hidden" name="confirmed" value="" />
    ${fields}
    <button type="submit" class="${danger ? 'danger' : ''}">${label}</button>
  </form>`;
}
