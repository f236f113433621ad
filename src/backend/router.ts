import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Session } from './sessions.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Readonly<Record<string, string>>;
  /** The caller's live session, looked up from the `sid` cookie on first use. */
  session(): Session | undefined;
}

export type Handler = (ctx: RequestContext) => void | Promise<void>;

export type Method = 'GET' | 'POST';

export interface RouteDef {
  /** Template such as `/books/:id` or `/static/covers/:id.svg`; also the metrics label. */
  path: string;
  handlers: Partial<Record<Method, Handler>>;
}

export interface RouteMatch {
  route: string;
  params: Record<string, string>;
  handlers: Partial<Record<Method, Handler>>;
  /** The Allow header value for this route. */
  allow: string;
}

export interface Router {
  match(pathname: string): RouteMatch | undefined;
}

interface CompiledRoute {
  def: RouteDef;
  re: RegExp | null;
  names: string[];
  allow: string;
}

function compile(def: RouteDef): CompiledRoute {
  const names: string[] = [];
  const methods = Object.keys(def.handlers) as Method[];
  const allow = [...methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])), 'OPTIONS'].join(', ');
  if (!def.path.includes(':')) return { def, re: null, names, allow };
  const source = def.path
    .split(/(:[a-z]+)/)
    .map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+?)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { def, re: new RegExp(`^${source}$`), names, allow };
}

/** Routes are compiled once; exact paths are a map lookup, templates a short regex scan. */
export function createRouter(defs: readonly RouteDef[]): Router {
  const exact = new Map<string, CompiledRoute>();
  const patterns: CompiledRoute[] = [];
  for (const def of defs) {
    const c = compile(def);
    if (c.re) patterns.push(c);
    else exact.set(def.path, c);
  }
  return {
    match(pathname) {
      const hit = exact.get(pathname);
      if (hit) return { route: hit.def.path, params: {}, handlers: hit.def.handlers, allow: hit.allow };
      for (const c of patterns) {
        const m = c.re?.exec(pathname);
        if (!m) continue;
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => { params[n] = m[i + 1] ?? ''; });
        return { route: c.def.path, params, handlers: c.def.handlers, allow: c.allow };
      }
      return undefined;
    },
  };
}
