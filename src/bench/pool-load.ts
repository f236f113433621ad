import type { Pool } from 'undici';

/**
 * Sends `n` `GET /` requests over `connections` keep-alive connections of `pool`, one request at a
 * time on each, reporting progress every 10 s; returns how many were not answered 2xx.
 */
export async function sendRequests(pool: Pool, n: number, connections: number, label: string, progress: (msg: string) => void): Promise<number> {
  let left = n;
  let bad = 0;
  let done = 0;
  let shown = Date.now();
  const worker = async () => {
    while (left > 0) {
      left--;
      const res = await pool.request({ path: '/', method: 'GET' });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) bad++;
      done++;
      if (Date.now() - shown > 10_000) { shown = Date.now(); progress(`  ${label}: ${done}/${n}`); }
    }
  };
  await Promise.all(Array.from({ length: Math.min(connections, n) }, worker));
  return bad;
}
