import { existsSync } from 'node:fs';
import { createSourceProxy, type ProxyExchange } from '../source-proxy.js';
import { sleep } from '../pace.js';
import { CLIENT_HEADER, classify } from '../types.js';
import { resolve, sourceAddress, type GeneratorOptions, type GeneratorSummary } from './common.js';

export interface BrowserOptions extends GeneratorOptions {
  /** Concurrent browser sessions, each its own client and address (default 1). */
  sessions?: number;
  /** Chromium binary (default /usr/bin/chromium). */
  executablePath?: string;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The Chromium binary, or undefined when it is not installed. */
export function findChromium(path = '/usr/bin/chromium'): string | undefined {
  return existsSync(path) ? path : undefined;
}

/**
 * Real headless Chromium sessions browsing the site like people: home page, a book, a search,
 * the login form, with every page's CSS, JS and images. `rate` is page views per second per
 * session. Every request the browser sends on the network (sub-resources too, cache hits not) is
 * classified and recorded by the session's source proxy.
 */
export async function runBrowser(opts: BrowserOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'browser', 15);
  const exe = findChromium(opts.executablePath);
  if (!exe) return { generator: 'browser', clients: 0, sent: 0, skipped: 0, skippedReason: 'chromium not found' };
  const { chromium } = await import('playwright-core');
  const sessions = opts.sessions ?? 1;
  let sent = 0;
  const record = (n: number) => (x: ProxyExchange) => {
    sent++;
    // The run's own end cuts requests short: those are not results.
    if (x.error && opts.signal.aborted) return;
    const offset = ctx.clock.monotonic() - performance.now();
    ctx.onResult({
      clientId: `${opts.label}/${ctx.name}/${n}`, label: opts.label, sentAt: x.startedAt + offset - ctx.origin, latencyMs: x.latencyMs,
      outcome: x.error ? 'error' : classify(x.status, x.headers, opts.backend), status: x.status, ...(x.error ? { error: x.error } : {}),
    });
  };
  const proxies = await Promise.all(Array.from({ length: sessions }, (_, n) => createSourceProxy(sourceAddress(ctx.group, n), record(n))));
  const browser = await chromium.launch({
    executablePath: exe,
    headless: true,
    args: [...CHROMIUM_ARGS, '--proxy-bypass-list=<-loopback>'],
  });
  try {
    await Promise.all(proxies.map(async (proxy, n) => {
      const id = `${opts.label}/${ctx.name}/${n}`;
      const context = await browser.newContext({ extraHTTPHeaders: { [CLIENT_HEADER]: id }, proxy: { server: proxy.url } });
      const page = await context.newPage();
      const base = opts.target.replace(/\/$/, '');
      const gap = 1000 / Math.max(opts.rate, 1e-6);
      const end = performance.now() + opts.durationMs;
      const visits = [
        () => page.goto(`${base}/`),
        () => page.goto(`${base}/books`),
        () => page.goto(`${base}/books/${1 + n}`),
        () => page.goto(`${base}/search?q=history`),
        () => page.goto(`${base}/login`),
        async () => {
          await page.goto(`${base}/login`);
          await page.fill('input[name=username]', 'reader').catch(() => undefined);
          await page.fill('input[name=password]', 'reader').catch(() => undefined);
          await Promise.all([page.waitForLoadState('load').catch(() => undefined), page.click('button[type=submit], input[type=submit]').catch(() => undefined)]);
        },
      ];
      try {
        for (let i = 0; !opts.signal.aborted && performance.now() + gap < end; i++) {
          await (visits[i % visits.length] ?? visits[0]!)().catch(() => undefined);
          await sleep(gap, opts.signal);
        }
      } finally {
        await context.close().catch(() => undefined);
      }
    }));
  } finally {
    await browser.close().catch(() => undefined);
    await Promise.all(proxies.map((p) => p.close()));
  }
  return { generator: 'browser', clients: sessions, sent, skipped: 0 };
}
