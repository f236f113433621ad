import type { Route } from './context.js';

interface Compiled { route: Route; parts: string[] }

/** Matches method + path against routes compiled once; ":name" segments become params. */
export function createRouter(routes: Route[]) {
  const compiled: Compiled[] = routes.map((route) => ({ route, parts: route.path.split('/').filter(Boolean) }));
  return {
    match(method: string, pathname: string): { route: Route; params: Record<string, string> } | { allowed: string[] } | null {
      const segs = pathname.split('/').filter(Boolean);
      const allowed: string[] = [];
      for (const c of compiled) {
        if (c.parts.length !== segs.length) continue;
        const params: Record<string, string> = {};
        let ok = true;
        for (let i = 0; i < segs.length; i++) {
          const p = c.parts[i]!;
          if (p.startsWith(':')) {
            try { params[p.slice(1)] = decodeURIComponent(segs[i]!); } catch { ok = false; break; }
          } else if (p !== segs[i]) { ok = false; break; }
        }
        if (!ok) continue;
        if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) return { route: c.route, params };
        allowed.push(c.route.method);
      }
      return allowed.length ? { allowed } : null;
    },
  };
}
