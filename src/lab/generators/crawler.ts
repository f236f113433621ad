import { sleep } from '../pace.js';
import { clientFor, resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';

export interface CrawlerOptions extends GeneratorOptions {
  /** Page budget per run (default 200). */
  maxPages?: number;
}

export interface RobotsRules {
  disallow: string[];
  crawlDelayMs?: number;
}

/** The `User-agent: *` group of a robots.txt (enough for a polite crawler). */
export function parseRobots(text: string): RobotsRules {
  const rules: RobotsRules = { disallow: [] };
  let applies = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim();
    if (key === 'user-agent') applies = value === '*';
    else if (applies && key === 'disallow' && value) rules.disallow.push(value);
    else if (applies && key === 'crawl-delay' && Number.isFinite(Number(value))) rules.crawlDelayMs = Number(value) * 1000;
  }
  return rules;
}

/** Same-site links of an HTML page. */
export function extractLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/href="([^"]+)"/g)) {
    const href = (m[1] ?? '').replace(/&amp;/g, '&');
    if (href.startsWith('/') && !href.startsWith('//')) out.push(href.split('#')[0] ?? href);
  }
  return out;
}

/** A polite crawler: reads robots.txt, honours Disallow and Crawl-delay, never exceeds `rate`. */
export async function runCrawler(opts: CrawlerOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'crawler', 13);
  const client = clientFor(opts, ctx, 0, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; PoliteBot/1.0; +https://example.org/bot)' } });
  const end = performance.now() + opts.durationMs;
  let sent = 0;
  try {
    const robots = await client.send({ path: '/robots.txt' }, opts.signal);
    sent++;
    const rules = robots.outcome === 'backend' && robots.status === 200 ? parseRobots(robots.body) : { disallow: [] };
    const delay = Math.max(rules.crawlDelayMs ?? 0, 1000 / Math.max(opts.rate, 1e-6));
    const queue = ['/'];
    const seen = new Set(queue);
    const budget = opts.maxPages ?? 200;
    while (queue.length > 0 && sent < budget && !opts.signal.aborted && performance.now() + delay < end) {
      await sleep(delay, opts.signal);
      if (opts.signal.aborted) break;
      const path = queue.shift() ?? '/';
      const r = await client.send({ path, headers: { accept: 'text/html' } }, opts.signal);
      sent++;
      if (r.outcome !== 'backend') {
        // Told off or cut off: back off as a polite crawler would.
        await sleep(delay * 4, opts.signal);
        continue;
      }
      for (const link of extractLinks(r.body)) {
        if (seen.has(link) || rules.disallow.some((d) => link.startsWith(d))) continue;
        seen.add(link);
        queue.push(link);
      }
      if (queue.length === 0) queue.push('/');
    }
  } finally {
    await client.close();
  }
  return { generator: 'crawler', clients: 1, sent, skipped: 0 };
}
