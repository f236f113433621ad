import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { createLogger } from '../core/logger.js';
import { parseDetectionConfig } from '../detect/config.js';
import { readLogRecords, type ReadStats } from '../detect/replay/read.js';
import { createReplay, type ReplaySummary } from '../detect/replay/replay.js';
import type { LogFormat, LogRecord } from '../detect/replay/logs.js';
import { parseWholeNumber } from './parse.js';

/** A progress line on stderr, redrawn at most every 200 ms. */
function progress(stats: ReadStats) {
  let last = 0;
  return (read: number, total: number) => {
    const now = Date.now();
    if (now - last < 200 && !(total > 0 && read >= total)) return;
    last = now;
    const pct = total > 0 ? Math.min(100, (100 * read) / total) : -1;
    const width = 30;
    const filled = pct < 0 ? 0 : Math.round((pct / 100) * width);
    const head = pct < 0 ? `${(read / 1048576).toFixed(0)} MB read` : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(0)}%`;
    process.stderr.write(`\r${head} ${stats.parsed} requests`);
  };
}

function printSummary(s: ReplaySummary, top: number): void {
  const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : '-');
  console.log(`replayed ${s.requests} requests from ${s.clients} clients, ${iso(s.firstMs)} .. ${iso(s.lastMs)}${s.outOfOrder ? ` (${s.outOfOrder} out of time order, replayed at the previous time)` : ''}`);
  console.log(`would have rejected ${s.rejectedRequests} requests (${((100 * s.rejectedRequests) / Math.max(1, s.requests)).toFixed(3)}%)`);
  for (const a of ['block', 'throttle', 'challenge'] as const) {
    console.log(`  ${a.padEnd(9)} clients ${String(s.byAction[a].clients).padStart(6)}   requests ${s.byAction[a].requests}`);
  }
  if (s.flagged.length === 0) { console.log('no client would have been challenged, throttled or blocked'); return; }
  console.log(`\nclients by worst decision (top ${Math.min(top, s.flagged.length)} of ${s.flagged.length}):`);
  console.log('client                                   worst      requests  rejected  first action           max score  reasons');
  for (const c of s.flagged.slice(0, top)) {
    const reasons = Object.entries(c.reasons).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}×${n}`).join(' ');
    console.log(`${c.client.padEnd(40)} ${c.worst.padEnd(10)} ${String(c.requests).padStart(8)}  ${String(c.rejected).padStart(8)}  ${c.firstActionMs ? iso(c.firstActionMs) : '-'}  ${c.maxScore.toFixed(3).padStart(9)}  ${reasons}`);
  }
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('Run an access log (combined/common, NASA TSV, WorldCup CSV) through the detector on the log\'s own clock and report which clients would have been challenged, throttled or blocked, and why')
    .argument('<file>', 'access log (.log/.tsv/.csv, or .tar.bz2)')
    .addOption(new Option('--format <format>', 'log format').choices(['auto', 'combined', 'nasa-tsv', 'worldcup-csv']).default('auto'))
    .option('--config <file>', 'detection settings (YAML, the gateway\'s `detection:` section)')
    .option('--no-assume-browser-headers', 'when the log records no request headers, replay clients without any (by default each host gets one browser\'s headers)')
    .option('--challenge-fails', 'assume challenged clients never solve the challenge (by default they are browsers and do)')
    .option('--sort', 'sort records by time first (loads the log into memory; needed for the WorldCup sample)')
    .addOption(new Option('--top <n>', 'clients listed').argParser(parseWholeNumber(1)).default(30))
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: { format: LogFormat | 'auto'; config?: string; assumeBrowserHeaders: boolean; challengeFails?: boolean; sort?: boolean; top: number; json?: boolean }) => {
      let input: unknown = {};
      if (opts.config) {
        const doc = parseYaml(readFileSync(opts.config, 'utf8')) as Record<string, unknown> | null;
        input = doc && typeof doc === 'object' && 'detection' in doc ? doc.detection : doc ?? {};
      }
      let config;
      try { config = parseDetectionConfig(input); }
      catch (err) { console.error(`invalid detection config: ${(err as Error).message}`); process.exitCode = 2; return; }
      const replay = createReplay({ config, logger: createLogger({ level: 'silent' }), assumeBrowserHeaders: opts.assumeBrowserHeaders, challengesPassed: !opts.challengeFails });
      const stats: ReadStats = { lines: 0, parsed: 0, skipped: 0 };
      const records = readLogRecords(file, { format: opts.format, stats, onProgress: progress(stats) });
      try {
        if (opts.sort || (opts.format === 'worldcup-csv')) {
          const all: LogRecord[] = [];
          for await (const r of records) all.push(r);
          all.sort((a, b) => a.timeMs - b.timeMs);
          for (const r of all) replay.add(r);
        } else {
          for await (const r of records) replay.add(r);
        }
      } catch (err) { console.error(`\ncannot read ${file}: ${(err as Error).message}`); process.exitCode = 1; return; }
      process.stderr.write(`\rread ${stats.lines} lines, ${stats.parsed} requests${stats.skipped ? `, ${stats.skipped} unparsable lines skipped` : ''}${' '.repeat(20)}\n`);
      const s = replay.summary();
      replay.close();
      if (opts.json) console.log(JSON.stringify(s, null, 2));
      else printSummary(s, opts.top);
    });
}
