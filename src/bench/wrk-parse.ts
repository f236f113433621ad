/** What one wrk run reported (times in milliseconds, sizes in bytes). */
export interface WrkResult {
  requests: number;
  durationSec: number;
  requestsPerSec: number;
  bytesRead: number;
  latencyMs: {
    avg: number;
    stdev: number;
    max: number;
    p50: number;
    p75: number;
    p90: number;
    p99: number;
  };
  /** "Socket errors" line; all zero when wrk printed none. */
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Responses with a status outside 2xx/3xx ("Non-2xx or 3xx responses"). */
  non2xx3xx: number;
}

const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** "619.00us" / "0.87ms" / "1.20s" / "2.00m" → milliseconds. */
export function parseWrkTime(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`unrecognised wrk time: ${JSON.stringify(text)}`);
  return Number(m[1]) * (TIME_UNITS_MS[m[2] as string] as number);
}

/** "61.76MB" → bytes (wrk prints binary multiples). */
export function parseWrkSize(text: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  if (!m) throw new Error(`unrecognised wrk size: ${JSON.stringify(text)}`);
  return Number(m[1]) * (SIZE_UNITS[m[2] as string] as number);
}

function need(re: RegExp, text: string, what: string): RegExpExecArray {
  const m = re.exec(text);
  if (!m) throw new Error(`wrk output has no ${what} line:\n${text}`);
  return m;
}

/** Parses the text wrk prints with `--latency`; throws naming the missing part. */
export function parseWrkOutput(text: string): WrkResult {
  const lat = need(/^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+%\s*$/m, text, 'Latency stats');
  const pct = (p: number) =>
    parseWrkTime(need(new RegExp(`^\\s*${p}%\\s+(\\S+)\\s*$`, 'm'), text, `${p}% latency`)[1] as string);
  const total = need(/^\s*(\d+) requests in (\S+), (\S+) read\s*$/m, text, 'request total');
  const rps = need(/^Requests\/sec:\s+([\d.]+)\s*$/m, text, 'Requests/sec');
  const sock = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$/m.exec(text);
  const non2xx = /^\s*Non-2xx or 3xx responses: (\d+)\s*$/m.exec(text);
  return {
    requests: Number(total[1]),
    durationSec: parseWrkTime(total[2] as string) / 1000,
    requestsPerSec: Number(rps[1]),
    bytesRead: parseWrkSize(total[3] as string),
    latencyMs: {
      avg: parseWrkTime(lat[1] as string),
      stdev: parseWrkTime(lat[2] as string),
      max: parseWrkTime(lat[3] as string),
      p50: pct(50),
      p75: pct(75),
      p90: pct(90),
      p99: pct(99),
    },
    socketErrors: sock
      ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
    non2xx3xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

export function totalSocketErrors(r: WrkResult): number {
  const e = r.socketErrors;
  return e.connect + e.read + e.write + e.timeout;
}
