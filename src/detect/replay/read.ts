import { createReadStream, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { detectLogFormat, parserFor, type LogFormat, type LogRecord } from './logs.js';

export interface ReadStats { lines: number; parsed: number; skipped: number }

/**
 * Streams the records of an access log (plain, or .tar.bz2 through the system tar). `onProgress`
 * gets bytes read and the file size (compressed sizes for archives are not tracked: 0).
 */
export async function* readLogRecords(path: string, opts: { format?: LogFormat | 'auto'; stats?: ReadStats; onProgress?: (read: number, total: number) => void } = {}): AsyncGenerator<LogRecord> {
  const archive = path.endsWith('.tar.bz2');
  let input: Readable;
  let total = 0;
  if (archive) input = spawn('tar', ['-xjOf', path], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout;
  else { total = statSync(path).size; input = createReadStream(path); }
  let read = 0;
  input.on('data', (b: Buffer | string) => { read += b.length; });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let parse: ((l: string) => LogRecord | undefined) | undefined = opts.format && opts.format !== 'auto' ? parserFor(opts.format) : undefined;
  const st = opts.stats ?? { lines: 0, parsed: 0, skipped: 0 };
  for await (const line of rl) {
    if (!line) continue;
    parse ??= parserFor(detectLogFormat(line));
    if (line.startsWith('host\tlogname\t')) continue; // the NASA TSV header
    st.lines++;
    const r = parse(line);
    if (!r) { st.skipped++; continue; }
    st.parsed++;
    if (opts.onProgress && (st.lines & 4095) === 0) opts.onProgress(read, total);
    yield r;
  }
  opts.onProgress?.(read, total);
}
