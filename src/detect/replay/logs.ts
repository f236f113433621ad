/** One request read from an access log. */
export interface LogRecord {
  host: string;
  timeMs: number;
  method: string;
  path: string;
  query: string;
  /** undefined when the log format does not record the protocol version. */
  httpVersion?: string;
  status: number;
  bytes: number;
  /** undefined when the log format does not record it; '' when recorded as absent ('-'). */
  referer?: string;
  userAgent?: string;
}

export type LogFormat = 'combined' | 'nasa-tsv' | 'worldcup-csv';

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** Guesses the format from the first line. */
export function detectLogFormat(firstLine: string): LogFormat {
  if (firstLine.startsWith('host\tlogname\ttime')) return 'nasa-tsv';
  if (/^\d+,\d{2}\/\w{3}\/\d{4},\d{2}:\d{2}:\d{2},/.test(firstLine)) return 'worldcup-csv';
  return 'combined';
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url || '/', query: '' } : { path: url.slice(0, q) || '/', query: url.slice(q + 1) };
}

// host ident user [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "referer" "agent"
const COMBINED = /^(\S+) \S+ \S+ \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "([^"]*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

/** Common or combined log format (Apache/nginx). Returns undefined for a line that does not parse. */
export function parseCombined(line: string): LogRecord | undefined {
  const m = COMBINED.exec(line);
  if (!m) return undefined;
  const month = MONTHS[m[3]!];
  if (month === undefined) return undefined;
  const tz = m[8]!;
  const offMin = (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
  const timeMs = Date.UTC(Number(m[4]), month, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])) - offMin * 60_000;
  const req = m[9]!.split(' ');
  const method = req.length >= 2 ? req[0]! : 'GET';
  const url = req.length >= 2 ? req[1]! : req[0] ?? '/';
  const version = req[2]?.startsWith('HTTP/') ? req[2].slice(5) : '1.0';
  const rec: LogRecord = { host: m[1]!, timeMs, method, ...splitUrl(url), httpVersion: version, status: Number(m[10]), bytes: m[11] === '-' ? 0 : Number(m[11]) };
  if (m[12] !== undefined) {
    rec.referer = m[12] === '-' ? '' : m[12];
    rec.userAgent = m[13] === '-' ? '' : m[13];
  }
  return rec;
}

/** NASA-HTTP in the tab-separated layout: host logname time(epoch s) method url response bytes referer useragent. */
export function parseNasaTsv(line: string): LogRecord | undefined {
  const c = line.split('\t');
  if (c.length < 7 || c[0] === 'host') return undefined;
  const t = Number(c[2]);
  const status = Number(c[5]);
  if (!Number.isFinite(t) || !Number.isFinite(status)) return undefined;
  const rec: LogRecord = { host: c[0]!, timeMs: t * 1000, method: c[3] || 'GET', ...splitUrl(c[4] ?? '/'), status, bytes: Number(c[6]) || 0 };
  // The layout has the columns, but this trace left them empty: treat empty as "not recorded".
  if (c[7]) rec.referer = c[7];
  if (c[8]) rec.userAgent = c[8];
  return rec;
}

/** WorldCup98 sample: clientID,dd/Mon/yyyy,HH:MM:SS,url,status,bytes (times taken as UTC). */
export function parseWorldCupCsv(line: string): LogRecord | undefined {
  const c = line.split(',');
  if (c.length < 6) return undefined;
  const d = /^(\d{2})\/(\w{3})\/(\d{4})$/.exec(c[1]!);
  const tm = /^(\d{2}):(\d{2}):(\d{2})$/.exec(c[2]!);
  const month = d ? MONTHS[d[2]!] : undefined;
  if (!d || !tm || month === undefined) return undefined;
  const timeMs = Date.UTC(Number(d[3]), month, Number(d[1]), Number(tm[1]), Number(tm[2]), Number(tm[3]));
  const url = c.slice(3, c.length - 2).join(',');
  return { host: `wc-${c[0]}`, timeMs, method: 'GET', ...splitUrl(url), status: Number(c[c.length - 2]), bytes: Number(c[c.length - 1]) || 0 };
}

export function parserFor(format: LogFormat): (line: string) => LogRecord | undefined {
  return format === 'nasa-tsv' ? parseNasaTsv : format === 'worldcup-csv' ? parseWorldCupCsv : parseCombined;
}
