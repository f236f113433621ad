import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/core/logger.js';
import { compileIdsConfig, type IdsConfigInput } from '../../src/ids/config.js';
import { loadIdsModel, type IdsModel } from '../../src/ids/model.js';
import { createIdsServer, type IdsServer } from '../../src/ids/server.js';
import { parseCsvLine } from '../../src/ids/csv.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

let shared: IdsModel | null = null;
/** The shipped model, loaded once per test file (read-only). */
export function shippedModel(): IdsModel {
  shared ??= loadIdsModel();
  return shared;
}

export interface Running {
  url: string;
  ids: IdsServer;
  close(): Promise<void>;
}

export async function startIds(overrides: Partial<IdsConfigInput> = {}): Promise<Running> {
  const config = compileIdsConfig({ port: 0, host: '127.0.0.1', logLevel: 'silent', ...overrides });
  const ids = createIdsServer(config, { model: shippedModel(), logger: createLogger({ level: 'silent' }) });
  const port = await ids.listen();
  return { url: `http://127.0.0.1:${port}`, ids, close: () => ids.close() };
}

/** Rows of a fixture CSV as objects keyed by the file's own header spelling (leading spaces kept). */
export function fixtureFlows(file: string): { header: string[]; flows: Record<string, string>[] } {
  const lines = readFileSync(`${FIXTURES}${file}`, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = parseCsvLine(lines[0] as string);
  const flows = lines.slice(1).map((l) => {
    const f = parseCsvLine(l);
    return Object.fromEntries(header.map((h, i) => [h, f[i] as string]));
  });
  return { header, flows };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A Prometheus sample value from exposition text (sum over lines matching name and labels). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const ls = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => ls.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** The CSE-CIC-IDS2018 spelling as published (from the data README), without Label. */
export const SHORT_SPELLING = `Dst Port, Protocol, Flow Duration, Tot Fwd Pkts, Tot Bwd Pkts, TotLen Fwd Pkts, TotLen Bwd Pkts,
Fwd Pkt Len Max, Fwd Pkt Len Min, Fwd Pkt Len Mean, Fwd Pkt Len Std, Bwd Pkt Len Max,
Bwd Pkt Len Min, Bwd Pkt Len Mean, Bwd Pkt Len Std, Flow Byts/s, Flow Pkts/s, Flow IAT Mean,
Flow IAT Std, Flow IAT Max, Flow IAT Min, Fwd IAT Tot, Fwd IAT Mean, Fwd IAT Std, Fwd IAT Max,
Fwd IAT Min, Bwd IAT Tot, Bwd IAT Mean, Bwd IAT Std, Bwd IAT Max, Bwd IAT Min, Fwd PSH Flags,
Bwd PSH Flags, Fwd URG Flags, Bwd URG Flags, Fwd Header Len, Bwd Header Len, Fwd Pkts/s,
Bwd Pkts/s, Pkt Len Min, Pkt Len Max, Pkt Len Mean, Pkt Len Std, Pkt Len Var, FIN Flag Cnt,
SYN Flag Cnt, RST Flag Cnt, PSH Flag Cnt, ACK Flag Cnt, URG Flag Cnt, CWE Flag Count,
ECE Flag Cnt, Down/Up Ratio, Pkt Size Avg, Fwd Seg Size Avg, Bwd Seg Size Avg, Fwd Byts/b Avg,
Fwd Pkts/b Avg, Fwd Blk Rate Avg, Bwd Byts/b Avg, Bwd Pkts/b Avg, Bwd Blk Rate Avg,
Subflow Fwd Pkts, Subflow Fwd Byts, Subflow Bwd Pkts, Subflow Bwd Byts, Init Fwd Win Byts,
Init Bwd Win Byts, Fwd Act Data Pkts, Fwd Seg Size Min, Active Mean, Active Std, Active Max,
Active Min, Idle Mean, Idle Std, Idle Max, Idle Min`.split(',').map((s) => s.trim());
