import type { GeneratorOptions, GeneratorSummary } from './common.js';
import { runApiPoller } from './api-poller.js';
import { runBrowser } from './browser.js';
import { runCacheBust } from './cache-bust.js';
import { runCrawler } from './crawler.js';
import { runDistributedFlood } from './distributed-flood.js';
import { runLoginBrute } from './login-brute.js';
import { runLowAndSlow } from './low-and-slow.js';
import { runOnOff } from './on-off.js';
import { runPathScan } from './path-scan.js';
import { runReplay } from './replay.js';
import { runSharedAddress } from './shared-address.js';
import { runSlowHttp } from './slowhttp.js';
import { runWrkFlood } from './wrk-flood.js';

export type { GeneratorOptions, GeneratorSummary } from './common.js';

/** What the runner knows besides a client entry's own parameters. */
export interface RunEnv {
  /** Access log for `replay` clients; replay is skipped without it. */
  accessLog?: string;
  /** Log seconds per replayed second for `replay`. */
  replayCompression?: number;
}

type Params = Record<string, unknown>;
type Runner = (base: GeneratorOptions, params: Params, env: RunEnv) => Promise<GeneratorSummary>;

const num = (p: Params, k: string): number | undefined => (typeof p[k] === 'number' ? (p[k] as number) : undefined);
const str = (p: Params, k: string): string | undefined => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
const opt = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));

/** Every generator by its scenario name, with the parameters each accepts. */
export const GENERATORS: Record<string, { label: 'benign' | 'attack'; params: readonly string[]; run: Runner }> = {
  browser: { label: 'benign', params: ['sessions'], run: (b, p) => runBrowser({ ...b, ...opt('sessions', num(p, 'sessions')) }) },
  replay: {
    label: 'benign', params: ['maxClients', 'fromTime'],
    run: (b, p, env) => env.accessLog
      ? runReplay({ ...b, logPath: env.accessLog, ...opt('compression', env.replayCompression), ...opt('maxClients', num(p, 'maxClients')), ...opt('fromTime', num(p, 'fromTime')) })
      : Promise.resolve({ generator: 'replay', clients: 0, sent: 0, skipped: 0, skippedReason: 'no access log given (--access-log)' }),
  },
  'api-poller': { label: 'benign', params: ['clients'], run: (b, p) => runApiPoller({ ...b, ...opt('clients', num(p, 'clients')) }) },
  crawler: { label: 'benign', params: ['maxPages'], run: (b, p) => runCrawler({ ...b, ...opt('maxPages', num(p, 'maxPages')) }) },
  'shared-address': { label: 'benign', params: ['people'], run: (b, p) => runSharedAddress({ ...b, ...opt('people', num(p, 'people')) }) },
  'wrk-flood': { label: 'attack', params: ['connections', 'threads', 'path'], run: (b, p) => runWrkFlood({ ...b, ...opt('connections', num(p, 'connections')), ...opt('threads', num(p, 'threads')), ...opt('path', str(p, 'path')) }) },
  'distributed-flood': { label: 'attack', params: ['sources', 'path'], run: (b, p) => runDistributedFlood({ ...b, ...opt('sources', num(p, 'sources')), ...opt('path', str(p, 'path')) }) },
  'cache-bust': { label: 'attack', params: ['sources'], run: (b, p) => runCacheBust({ ...b, ...opt('sources', num(p, 'sources')) }) },
  slowloris: { label: 'attack', params: ['connections', 'intervalSec'], run: (b, p) => runSlowHttp({ ...b, mode: 'slowloris', ...opt('connections', num(p, 'connections')), ...opt('intervalSec', num(p, 'intervalSec')) }) },
  'slow-post': { label: 'attack', params: ['connections', 'intervalSec'], run: (b, p) => runSlowHttp({ ...b, mode: 'slow-post', ...opt('connections', num(p, 'connections')), ...opt('intervalSec', num(p, 'intervalSec')) }) },
  'slow-read': { label: 'attack', params: ['connections', 'intervalSec'], run: (b, p) => runSlowHttp({ ...b, mode: 'slow-read', ...opt('connections', num(p, 'connections')), ...opt('intervalSec', num(p, 'intervalSec')) }) },
  'low-and-slow': { label: 'attack', params: ['sources'], run: (b, p) => runLowAndSlow({ ...b, ...opt('sources', num(p, 'sources')) }) },
  'on-off': { label: 'attack', params: ['sources', 'onMs', 'offMs'], run: (b, p) => runOnOff({ ...b, ...opt('sources', num(p, 'sources')), ...opt('onMs', num(p, 'onMs')), ...opt('offMs', num(p, 'offMs')) }) },
  'login-brute': { label: 'attack', params: ['sources', 'user'], run: (b, p) => runLoginBrute({ ...b, ...opt('sources', num(p, 'sources')), ...opt('user', str(p, 'user')) }) },
  'path-scan': { label: 'attack', params: ['sources'], run: (b, p) => runPathScan({ ...b, ...opt('sources', num(p, 'sources')) }) },
};
