import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon', '.map': 'application/json',
};

/** Serves the built UI from `root`; unknown paths get index.html (client-side routes). False when no UI. */
export async function serveStatic(root: string, pathname: string, res: ServerResponse, head: boolean): Promise<boolean> {
  if (!root) return false;
  let rel: string;
  try { rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, ''); } catch { return false; }
  if (rel.split(sep).includes('..')) return false;
  let file = join(root, rel || 'index.html');
  let st = await stat(file).catch(() => null);
  if (!st || !st.isFile()) {
    if (extname(rel)) return false;
    file = join(root, 'index.html');
    st = await stat(file).catch(() => null);
    if (!st) return false;
  }
  const body = await readFile(file);
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(head ? undefined : body);
  return true;
}
