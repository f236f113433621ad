import { createHash } from 'node:crypto';
import type { Book, Catalogue } from './catalogue.js';
import { escapeHtml } from './html.js';

export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

export interface AssetStore {
  /** An asset by its URL path, e.g. `/static/app.css` or `/static/covers/7.svg`. */
  get(path: string): Asset | undefined;
}

const APP_CSS = `:root { --ink: #1d2430; --muted: #5b6575; --accent: #2f6f8f; --paper: #fbfaf7; --line: #e2ded5; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); }
a { color: var(--accent); }
header.site { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1.5rem; background: var(--ink); }
header.site .brand { color: #fff; font-weight: 700; text-decoration: none; margin-right: auto; }
header.site nav a { color: #d7e3ea; text-decoration: none; margin-right: 1rem; }
header.site nav a[aria-current="page"] { color: #fff; border-bottom: 2px solid #8fc1d8; }
header.site form { display: flex; gap: .25rem; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem; display: grid; grid-template-columns: 1fr 16rem; gap: 2rem; }
main > .content { min-width: 0; }
aside.recent { border-left: 1px solid var(--line); padding-left: 1rem; font-size: .9rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 1rem; list-style: none; padding: 0; }
.card img { width: 100%; height: auto; border-radius: 4px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
.card a { text-decoration: none; }
.card .title { display: block; font-weight: 600; }
.card .author, .muted { color: var(--muted); }
table.books { width: 100%; border-collapse: collapse; }
table.books td, table.books th { padding: .4rem; border-bottom: 1px solid var(--line); text-align: left; }
.detail { display: flex; gap: 1.5rem; align-items: flex-start; }
.detail img { width: 12rem; height: auto; }
.detail dl { display: grid; grid-template-columns: auto 1fr; gap: .2rem 1rem; }
.detail dt { color: var(--muted); }
.detail dd { margin: 0; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
form.login { display: grid; gap: .5rem; max-width: 20rem; }
.error { color: #a32020; font-weight: 600; }
footer { text-align: center; color: var(--muted); padding: 2rem; font-size: .85rem; }
@media (max-width: 48rem) { main { grid-template-columns: 1fr; } aside.recent { border: 0; padding: 0; } }
`;

const APP_JS = `(function () {
  'use strict';
  var path = location.pathname;
  document.querySelectorAll('header.site nav a').forEach(function (a) {
    var href = a.getAttribute('href');
    if (href === path || (href !== '/' && path.indexOf(href + '/') === 0)) a.setAttribute('aria-current', 'page');
  });
  var box = document.getElementById('recent-list');
  if (!box || !window.fetch) return;
  fetch('/api/books?limit=5&sort=recent', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    .then(function (data) {
      box.textContent = '';
      data.items.forEach(function (b) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = '/books/' + b.id;
        a.textContent = b.title;
        li.appendChild(a);
        li.appendChild(document.createTextNode(' \\u2014 ' + b.author));
        box.appendChild(li);
      });
      box.setAttribute('data-loaded', 'true');
    })
    .catch(function () { box.textContent = 'Could not load recent books.'; });
})();
`;

const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d2430"/><path d="M8 7h7v18H8zM17 7h7v18h-7z" fill="#8fc1d8"/></svg>
`;

const ROBOTS_TXT = `User-agent: *
Disallow: /account
Disallow: /login
Disallow: /api/
`;

const WEEK_S = 7 * 24 * 3600;

function wrapWords(text: string, maxChars: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.slice(0, maxLines);
}

export function coverSvg(book: Book): string {
  const hue = (book.id * 47) % 360;
  const lines = wrapWords(book.title, 14, 4)
    .map((l, i) => `<text x="100" y="${90 + i * 26}" font-size="20" font-weight="700" text-anchor="middle">${escapeHtml(l)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300" viewBox="0 0 200 300" role="img" aria-label="${escapeHtml(book.title)}">`
    + `<rect width="200" height="300" fill="hsl(${hue},45%,35%)"/>`
    + `<rect x="12" y="12" width="176" height="276" fill="none" stroke="hsl(${hue},60%,80%)" stroke-width="2"/>`
    + `<g fill="#fff" font-family="Georgia, serif">${lines}`
    + `<text x="100" y="260" font-size="14" text-anchor="middle" opacity=".85">${escapeHtml(book.author)}</text></g></svg>\n`;
}

function makeAsset(body: string, contentType: string, cacheControl: string): Asset {
  const buf = Buffer.from(body);
  const etag = `"${createHash('sha1').update(buf).digest('base64url').slice(0, 22)}"`;
  return { body: buf, contentType, etag, cacheControl };
}

/** Every static asset is built once, at start, with its ETag. */
export function createAssetStore(catalogue: Catalogue): AssetStore {
  const assets = new Map<string, Asset>([
    ['/static/app.css', makeAsset(APP_CSS, 'text/css; charset=utf-8', 'public, max-age=3600')],
    ['/static/app.js', makeAsset(APP_JS, 'text/javascript; charset=utf-8', 'public, max-age=3600')],
    ['/static/favicon.svg', makeAsset(FAVICON_SVG, 'image/svg+xml', `public, max-age=${WEEK_S}`)],
    ['/favicon.ico', makeAsset(FAVICON_SVG, 'image/svg+xml', `public, max-age=${WEEK_S}`)],
    ['/robots.txt', makeAsset(ROBOTS_TXT, 'text/plain; charset=utf-8', 'public, max-age=3600')],
  ]);
  for (let id = 1; id <= catalogue.size; id++) {
    const book = catalogue.get(id);
    if (book) assets.set(`/static/covers/${id}.svg`, makeAsset(coverSvg(book), 'image/svg+xml', `public, max-age=${WEEK_S}`));
  }
  return { get: (path) => assets.get(path) };
}
