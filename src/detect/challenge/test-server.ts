import { createServer, type Server } from 'node:http';
import { listen, closeServer } from '../../core/listen.js';
import type { Challenge } from './challenge.js';

/**
 * A minimal site behind the challenge, for tests: /_shield/challenge/* goes to the challenge,
 * passed clients get the page, everyone else the interstitial. Client key = socket address.
 */
export async function startChallengeSite(challenge: Challenge): Promise<{ base: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const key = req.socket.remoteAddress ?? '';
    if (challenge.handle(req, res, key)) return;
    if (challenge.isPassed(req.headers.cookie, key)) {
      const body = `<!doctype html><title>Welcome</title><h1 id="welcome">Welcome to ${req.url}</h1>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    const p = challenge.page(req, key, req.url ?? '/');
    res.writeHead(p.status, p.headers);
    res.end(p.body);
  });
  const port = await listen(server, 0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, server, close: () => closeServer(server) };
}
