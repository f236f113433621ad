const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Tagged template that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string { return this.value; }
}

type HtmlValue = Html | string | number | undefined | null | false | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => { out += render(v) + (strings[i + 1] ?? ''); });
  return new Html(out);
}

export interface LayoutOptions {
  appName: string;
  title: string;
  user?: string;
  /** Pre-fills the search box. */
  query?: string;
  /** Shows the "recently added" box that app.js fills in. */
  recent?: boolean;
}

export function layout(opts: LayoutOptions, body: Html): string {
  const account = opts.user
    ? html`<a href="/account">Account (${opts.user})</a><a href="/logout">Log out</a>`
    : html`<a href="/login">Log in</a>`;
  const recent = opts.recent === false ? '' : html`<aside class="recent"><h2>Recently added</h2><ul id="recent-list"><li class="muted">Loading…</li></ul></aside>`;
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · ${opts.appName}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="site">
<a class="brand" href="/">${opts.appName}</a>
<nav><a href="/">Home</a><a href="/books">Books</a>${account}</nav>
<form action="/search" method="get" role="search"><input type="search" name="q" maxlength="100" placeholder="Title or author" value="${opts.query ?? ''}" aria-label="Search"><button type="submit">Search</button></form>
</header>
<main><div class="content">
${body}
</div>${recent}</main>
<footer>${opts.appName} — a small library catalogue</footer>
</body>
</html>
`}`;
}
