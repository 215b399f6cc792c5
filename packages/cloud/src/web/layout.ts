import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Principal } from '../access/principal.ts';
import { assetUrl, type AssetName } from './static.ts';

/** A rendered fragment of HTML; strings interpolated into `html` templates are escaped. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export type Section = 'fleet' | 'meters' | 'installations';

export interface PageOptions {
  title: string;
  /** Signed-in user; null on the sign-in and error pages before sign-in. */
  principal: Principal | null;
  /** Highlighted navigation entry. */
  section?: Section;
  body: Html;
  /** Scripts loaded at the end of the body, in order; every page works without them. */
  scripts?: AssetName[];
  /** Stylesheets besides `dashboard.css`. */
  styles?: AssetName[];
  /** Reloads the page after this many seconds when scripts are disabled (the live parts' fallback). */
  noscriptRefreshSeconds?: number;
}

const SECTIONS: { id: Section; label: string; href: string }[] = [
  { id: 'fleet', label: 'Fleet', href: '/' },
  { id: 'meters', label: 'Meters', href: '/ui/meters' },
  { id: 'installations', label: 'Installations', href: '/ui/installations' },
];

/**
 * Headers of every dashboard page. The CSP allows scripts, styles, images and connections from
 * this origin only, and no inline script, so injected markup cannot run code.
 */
export function setPageHeaders(c: Context): void {
  c.header(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  // Pages show tenant data: never keep them in shared or back-forward caches.
  c.header('Cache-Control', 'no-store');
}

/** Responds with a complete dashboard page and `status`. */
export function renderPage(c: Context, options: PageOptions, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  setPageHeaders(c);
  return c.html(pageShell(options), status);
}

function pageShell(options: PageOptions): Html {
  const styles = ['dashboard.css', ...(options.styles ?? [])] as AssetName[];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · MeterVision</title>
<link rel="icon" href="data:,">
${styles.map((name) => html`<link rel="stylesheet" href="${assetUrl(name)}">`)}
${options.noscriptRefreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${options.noscriptRefreshSeconds}"></noscript>` : ''}
</head>
<body>
${header(options)}
<main id="main">
${options.body}
</main>
${(options.scripts ?? []).map((name) => html`<script src="${assetUrl(name)}" defer></script>`)}
</body>
</html>`;
}

function header(options: PageOptions): Html {
  if (!options.principal) {
    return html`<header class="top"><a class="brand" href="/">MeterVision</a></header>`;
  }

  const { user } = options.principal;
  return html`<header class="top">
<a class="brand" href="/">MeterVision</a>
<nav aria-label="Sections">
${SECTIONS.map((entry) => html`<a href="${entry.href}"${entry.id === options.section ? html` aria-current="page"` : ''}>${entry.label}</a>`)}
</nav>
<form class="signout" method="post" action="/logout">
<span class="user" title="${roleSummary(options.principal)}">${user.fullName ?? user.username}</span>
<button type="submit">Sign out</button>
</form>
</header>`;
}

/** Platform role and the number of memberships, for the user's tooltip. */
function roleSummary(principal: Principal): string {
  const roles = [...new Set(principal.memberships.values())].join(', ');
  const platform = principal.user.platformRole === 'user' ? '' : `${principal.user.platformRole.replace('_', ' ')}; `;
  return `${platform}${principal.memberships.size} organization(s)${roles ? `: ${roles}` : ''}`;
}
