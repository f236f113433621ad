import { setMaxListeners } from 'node:events';
import { createSystemClock, type Clock } from '../core/clock.js';
import { GENERATORS, type GeneratorSummary, type RunEnv } from './generators/index.js';
import { BROWSER_HEADERS, BROWSER_UAS, type ExternalCounts } from './generators/common.js';
import { createLabClient } from './http-client.js';
import { computeFigures, type Figures } from './metrics.js';
import { sleep } from './pace.js';
import { sampleResources } from './resources.js';
import type { Scenario } from './scenario.js';
import { createSink, type SinkHandler } from './sink.js';
import { createThreadSink } from './sink-thread.js';
import { startTarget, type LabTarget } from './targets.js';
import { isStopped, type RequestResult } from './types.js';

export interface RunOptions {
  env?: RunEnv;
  clock?: Clock;
  /** What the sink serves, on its own worker thread: the demo app or a minimal site (default). */
  app?: 'demo' | 'minimal';
  /** Serve this handler instead, from a sink in this thread (custom applications, tests). */
  sinkHandler?: SinkHandler;
  /** A progress line about once a second (to stderr in the CLI). */
  progress?: (line: string) => void;
  /** Extra time for the run's clients to finish after the scenario's duration (default 15 s). */
  graceMs?: number;
  /** Called with every classified answer (labelled traffic for other tools). */
  onResult?: (r: RequestResult) => void;
  /** Extra `ddos-shield gateway` flags when the target is the gateway. */
  gatewayArgs?: readonly string[];
  /** Ends the run early (Ctrl-C); what was measured so far is still reported. */
  signal?: AbortSignal;
  /**
   * Address group of the first client entry (default FIRST_ENTRY_GROUP): entry i binds
   * 127.(addressBase+i).x.y. A target the lab did not start (a URL) remembers the clients of
   * an earlier run; a new base gives the run clients it has not seen.
   */
  addressBase?: number;
}

export interface ActionRecord {
  /** Run ms when the action was started and when it was confirmed. */
  atMs: number;
  doneMs: number;
  block: string;
  ok: boolean;
  error?: string;
}

export interface ScenarioRun extends Figures {
  scenario: string;
  description: string;
  target: string;
  targetDescription: string;
  durationSec: number;
  attackStartMs: number;
  attackEndMs: number;
  startedAt: string;
  generators: (GeneratorSummary & { label: string; entry: number })[];
  actions: ActionRecord[];
  notes: string[];
}

/** Address group of the warm-up clients (127.254.1.y): no scenario entry gets it (see entryAddressGroup). */
export const WARMUP_GROUP = 254;
/** Warm-up clients, each with its own address: two requests from each look like one visitor, not an attack. */
export const WARMUP_CLIENTS = 10;
/** Address of the i-th warm-up client: never one of a scenario's. */
export function warmupAddress(i: number): string {
  return `127.${WARMUP_GROUP}.1.${i + 1}`;
}
/** Address of the first warm-up client. */
export const WARMUP_ADDRESS = warmupAddress(0);

/** What answered the warm-up's requests, by outcome. */
export type WarmUpOutcomes = Partial<Record<RequestResult['outcome'], number>>;

/**
 * A few requests through the target before the run (each target the lab starts gets the same),
 * so that no target is measured while it is still loading code or opening its upstream
 * connections. Not for a URL target: see runScenario. The requests come from WARMUP_CLIENTS
 * addresses, a page and an API call from each, with a browser's headers, so that a protecting
 * target serves them (twenty quick requests from one address are blocked as a flood, and the
 * target would then be warmed on its refusals rather than on the path the run measures).
 */
export async function warmUp(url: string, clock: Clock): Promise<WarmUpOutcomes> {
  const outcomes: WarmUpOutcomes = {};
  const origin = clock.monotonic();
  await Promise.all(Array.from({ length: WARMUP_CLIENTS }, async (_, i) => {
    const client = createLabClient({
      target: url, clientId: `warmup/lab/${i}`, label: 'benign', clock, origin,
      onResult: (r) => { outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1; },
      localAddress: warmupAddress(i), connections: 1, timeoutMs: 10_000,
      headers: { ...BROWSER_HEADERS, 'user-agent': BROWSER_UAS[i % BROWSER_UAS.length] ?? '' },
    });
    try {
      await client.send({ path: '/' });
      await client.send({ path: '/api/books?limit=5&sort=recent', headers: { accept: 'application/json' } });
    } finally {
      await client.close();
    }
  }));
  return outcomes;
}

/** The address group of a scenario's first client entry, unless a run asks for another. */
export const FIRST_ENTRY_GROUP = 10;

/** Whether a run's first entry may take this address group (FIRST_ENTRY_GROUP up to the warm-up's). */
export function isAddressBase(g: number): boolean {
  return Number.isInteger(g) && g >= FIRST_ENTRY_GROUP && g < WARMUP_GROUP;
}

/**
 * The address group of a scenario's i-th client entry: its clients bind 127.(base+i).x.y.
 * Groups below FIRST_ENTRY_GROUP are left to the servers (127.0.0.1) and other tools.
 */
export function entryAddressGroup(i: number, base = FIRST_ENTRY_GROUP): number {
  if (!isAddressBase(base)) {
    throw new RangeError(`the first address group must be a whole number from ${FIRST_ENTRY_GROUP} to ${WARMUP_GROUP - 1} (got ${base})`);
  }
  const g = base + i;
  // The groups from the warm-up's on are never a scenario's: the warm-up client must not share
  // an address with a client that is measured.
  if (i < 0 || g >= WARMUP_GROUP) throw new RangeError(`from address group ${base} a scenario has at most ${WARMUP_GROUP - base} client entries (entry ${i})`);
  return g;
}

/**
 * A scenario's block action names an address of its entries as the scenario file gives them
 * (127.(10+i).x.y); with the entries moved to another base, the same client's address.
 */
export function movedAddress(address: string, base: number): string {
  if (base === FIRST_ENTRY_GROUP) return address;
  const m = /^127\.(\d{1,3})\.(\d{1,3}\.\d{1,3})$/.exec(address);
  if (!m) return address;
  const group = Number(m[1]);
  if (group < FIRST_ENTRY_GROUP || group >= WARMUP_GROUP) return address;
  return `127.${group - FIRST_ENTRY_GROUP + base}.${m[2]}`;
}

/**
 * Runs one scenario against one target: starts the sink and the target, runs every client
 * entry on its schedule, applies the scenario's actions, and computes the figures from what
 * the clients saw and what the sink counted. Everything started is stopped, bounded in time.
 */
export async function runScenario(s: Scenario, targetKind: string, opts: RunOptions = {}): Promise<ScenarioRun> {
  const clock = opts.clock ?? createSystemClock();
  // Every entry gets an address group of its own before anything starts (throws when too many).
  const base = opts.addressBase ?? FIRST_ENTRY_GROUP;
  s.clients.forEach((_, i) => entryAddressGroup(i, base));
  const sink = opts.sinkHandler
    ? await createSink({ clock, handler: opts.sinkHandler })
    : await createThreadSink({ app: opts.app ?? 'minimal' });
  let target: LabTarget | undefined;
  const startedAt = new Date().toISOString();
  try {
    target = await startTarget(targetKind, sink.url, { ...(opts.gatewayArgs ? { gatewayArgs: opts.gatewayArgs } : {}) });
    // Whether the sink stands behind the target: not for a URL target, whose own site answers.
    const sinkBehind = target.backend === 'sink';
    // No warm-up for a URL target: the lab did not start it, so it is already running and there
    // is nothing cold to warm, and the warm-up's visitors would only be ten more clients in its
    // own figures, dashboard and logs.
    const warmed = sinkBehind ? await warmUp(target.url, clock) : null;
    await sink.flush();
    const warm = sink.counts().byLabel;
    const warmAttack = warm.attack + warm.untagged;
    const durationMs = s.duration * 1000;
    const attackStartMs = s.attackStart * 1000;
    const attackEntries = s.clients.filter((c) => c.label === 'attack');
    const attackEndMs = attackEntries.length
      ? Math.max(...attackEntries.map((c) => (c.start + (c.duration ?? s.duration - c.start)) * 1000))
      : durationMs;
    const results: RequestResult[] = [];
    const live = { attackSent: 0, attackStopped: 0, benignSent: 0, benignOk: 0 };
    const onResult = (r: RequestResult) => {
      results.push(r);
      if (r.label === 'attack') { live.attackSent++; if (isStopped(r.outcome)) live.attackStopped++; }
      else { live.benignSent++; if (r.outcome === 'backend') live.benignOk++; }
      opts.onResult?.(r);
    };
    const stopAll = new AbortController();
    // Every client and timer of the run listens on this one signal.
    setMaxListeners(0, stopAll.signal);
    const hardLimit = setTimeout(() => stopAll.abort(), durationMs + (opts.graceMs ?? 15_000));
    const onOuterAbort = () => stopAll.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const origin = clock.monotonic();
    const runMs = () => clock.monotonic() - origin;
    const t = target;
    const sampler = sampleResources(() => t.pids(), runMs);
    const progress = opts.progress
      ? setInterval(() => {
        const c = sink.counts().byLabel;
        const reached = sinkBehind ? `, ${c.attack + c.untagged - warmAttack} reached backend` : '';
        opts.progress?.(`[${s.name} @ ${t.name}] ${(runMs() / 1000).toFixed(0)}/${s.duration}s  attack ${live.attackSent} answered, ` +
          `${live.attackStopped} stopped${reached} | benign ${live.benignOk}/${live.benignSent} ${sinkBehind ? 'ok' : 'answered by the site'}`);
      }, 1000)
      : undefined;
    const actions: ActionRecord[] = [];
    const notes: string[] = [];
    try {
      const entries = s.clients.map(async (c, i) => {
        await sleep(c.start * 1000 - runMs(), stopAll.signal);
        if (stopAll.signal.aborted) return { generator: c.generator, clients: 0, sent: 0, skipped: 0, skippedReason: 'run stopped', label: c.label, entry: i };
        const spec = GENERATORS[c.generator];
        if (!spec) throw new Error(`unknown generator ${c.generator}`);
        const summary = await spec.run({
          target: t.url, label: c.label, rate: c.rate,
          durationMs: Math.max(0, (c.duration ?? s.duration - c.start) * 1000 - Math.max(0, runMs() - c.start * 1000)),
          signal: stopAll.signal, onResult, clock, origin, addressGroup: entryAddressGroup(i, base),
          name: s.clients.filter((x) => x.generator === c.generator).length > 1 ? `${c.generator}-${i}` : c.generator,
          seed: i + 1, backend: t.backend,
        }, c.params, opts.env ?? {});
        return { ...summary, label: c.label, entry: i };
      });
      const acts = s.actions.map(async (a) => {
        await sleep(a.at * 1000 - runMs(), stopAll.signal);
        const atMs = runMs();
        const block = movedAddress(a.block, base);
        if (!t.block) { actions.push({ atMs, doneMs: atMs, block, ok: false, error: `${t.name} has no block API` }); return; }
        try {
          await t.block(block, a.minutes, `lab scenario ${s.name}`);
          actions.push({ atMs, doneMs: runMs(), block, ok: true });
        } catch (err) {
          actions.push({ atMs, doneMs: runMs(), block, ok: false, error: (err as Error).message });
        }
      });
      const generators = await Promise.all(entries);
      await Promise.all(acts);
      sampler.stop();
      await sink.flush();
      for (const g of generators) if (g.skippedReason) notes.push(`${g.generator} skipped: ${g.skippedReason}`);
      for (const a of actions) if (!a.ok) notes.push(`action block ${a.block} failed: ${a.error}`);
      if (!sinkBehind) {
        const last = entryAddressGroup(s.clients.length - 1, base);
        notes.push(`clients bound 127.${base}.x.y${last > base ? `–127.${last}.x.y` : ''}: ${t.name} keeps what it learnt of them; ` +
          (last + 1 < WARMUP_GROUP ? `\`--address-base ${last + 1}\` gives a later run clients it has not seen` : `\`--address-base ${FIRST_ENTRY_GROUP}\` starts again from the first group`));
      }
      const warmMissed = warmed ? Object.entries(warmed).filter(([o]) => o !== 'backend') : [];
      if (warmMissed.length > 0) notes.push(`warm-up: not every request reached the backend (${warmMissed.map(([o, n]) => `${n} ${o}`).join(', ')}): the target was warmed on other answers than the run measures`);
      const shift = sink.origin - origin;
      const external = generators.map((g) => g.external).filter((e): e is ExternalCounts => e !== undefined);
      const figures = computeFigures({
        results, external,
        // Arrivals before t = 0 are the warm-up's. Behind a URL target the sink counts nothing of the run.
        arrivals: sinkBehind ? sink.arrivals().map((a) => ({ ...a, t: a.t + shift })).filter((a) => a.t >= 0) : null,
        attackStartMs, attackEndMs, durationMs,
        resources: t.pids().length || sampler.samples().length ? sampler.samples() : null,
        cpuSeconds: sampler.samples().length ? sampler.cpuSecondsUsed() : null,
      });
      return {
        scenario: s.name, description: s.description, target: t.name, targetDescription: t.description,
        durationSec: s.duration, attackStartMs, attackEndMs, startedAt,
        generators: generators.map(({ external: _e, ...g }) => g), actions, notes, ...figures,
      };
    } finally {
      clearTimeout(hardLimit);
      opts.signal?.removeEventListener('abort', onOuterAbort);
      if (progress) clearInterval(progress);
      sampler.stop();
      stopAll.abort();
    }
  } finally {
    await target?.stop();
    await sink.close();
  }
}
