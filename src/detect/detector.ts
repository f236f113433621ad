import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { DetectionConfig } from './config.js';
import type { Action, ClientExplanation, Contribution, Decision, DecisionRecord, Detector, DetectorStats, InspectContext, RequestObservation } from './types.js';
import { createClientTable } from './state/client-table.js';
import { computeFeatures, newFeatureVector, observe, observeCompletion } from './features/observe.js';
import { FEATURE_COUNT, FEATURE_NAMES, type FeatureName } from './features/names.js';
import { createGlobalTracker } from './global.js';
import { loadStage1, type Stage1Scorer } from './score/stage1.js';
import type { Stage2Scorer } from './score/stage2-types.js';
import { loadStage2 } from './score/stage2.js';
import { blockSeconds, compilePolicy, REASONS } from './policy.js';
import { createDetectorMetrics } from './metrics.js';

export interface DetectorDeps {
  config: DetectionConfig;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Overrides the models in config.modelDir (tests, experiments). */
  models?: { stage1: Stage1Scorer; stage2: Stage2Scorer | null };
}

const HISTORY = 8; // decisions kept per explained client
const LOG_REPEAT_MS = 10_000; // a repeated identical decision is logged again at most this often
const COALESCE_MS = 1_000; // identical decisions this close are one history record with a count
const REMOTE_MAX_AHEAD = 60; // time constants: e^60 keeps a float32 rate finite for any batch

interface History { records: DecisionRecord[]; lastLogged: string; lastLoggedMs: number }

export function createDetector(deps: DetectorDeps): Detector {
  const { config: cfg, clock } = deps;
  const log = deps.logger.child({ component: 'detector' });
  const stage1 = deps.models?.stage1 ?? loadStage1(join(cfg.modelDir, 'stage1.json'));
  const stage2Path = join(cfg.modelDir, 'model.json');
  const stage2 = !cfg.stage2 ? null : deps.models ? deps.models.stage2 : existsSync(stage2Path) ? loadStage2(stage2Path) : null;
  if (cfg.stage2 && !stage2) log.warn({ path: stage2Path }, 'stage-2 model not found: scoring with stage 1 only');
  const escalateAt = stage1.model.escalateAt;
  const table = createClientTable(cfg.clientTableSize);
  const global = createGlobalTracker(cfg.global);
  const decide = compilePolicy(cfg);
  const history = new Map<string, History>();
  const x = newFeatureVector();
  const counts: Record<Action, number> = { allow: 0, challenge: 0, throttle: 0, block: 0 };
  let inspected = 0;
  let stage2Evaluations = 0;
  const metrics = createDetectorMetrics(deps.registry, {
    clients: () => table.size(),
    evictions: () => table.evictions(),
    surge: () => { const v = global.view(); return { active: v.surge, siteRps: v.siteRps, baselineRps: v.baselineRps }; },
  });
  const tFeatures = metrics.stage.child({ stage: 'features' });
  const tStage1 = metrics.stage.child({ stage: 'stage1' });
  const tStage2 = metrics.stage.child({ stage: 'stage2' });

  function remember(key: string, d: Decision, atMs: number, path: string): void {
    if (cfg.explainHistory === 0) return;
    let h = history.get(key);
    // a flood repeats one decision: within a second it is counted on the last record, not stored again
    const last = h?.records.at(-1);
    if (last && last.action === d.action && last.reason === d.reason && last.enforced === d.enforced && atMs - last.atMs < COALESCE_MS) {
      last.count++;
      return;
    }
    // every field named, in one order: records share one hidden class whatever object the decision came in
    const rec: DecisionRecord = {
      action: d.action, enforced: d.enforced, reason: d.reason, score: d.score, stage: d.stage,
      retryAfterSec: d.retryAfterSec, blockSeconds: d.blockSeconds, atMs, path, count: 1,
    };
    if (h) history.delete(key); // re-insert: Map order is the LRU order
    else {
      h = { records: [], lastLogged: '', lastLoggedMs: -Infinity };
      if (history.size >= cfg.explainHistory) { const oldest = history.keys().next().value; if (oldest !== undefined) history.delete(oldest); }
    }
    history.set(key, h);
    h.records.push(rec);
    if (h.records.length > HISTORY) h.records.shift();
    const sig = `${rec.action}:${rec.reason}:${rec.enforced}`;
    if (rec.action !== 'allow' && (sig !== h.lastLogged || rec.atMs - h.lastLoggedMs >= LOG_REPEAT_MS)) {
      h.lastLogged = sig;
      h.lastLoggedMs = rec.atMs;
      log.info({ client: key, action: rec.action, reason: rec.reason, enforced: rec.enforced, score: Number(rec.score.toFixed(4)), stage: rec.stage, path: rec.path, blockSeconds: rec.blockSeconds }, 'detector decision');
    }
  }

  function inspect(obs: RequestObservation, ctx: InspectContext): Decision {
    const now = obs.timestampMs;
    const timed = (inspected & 31) === 0; // stage timings are sampled: one request in 32
    const t0 = timed ? performance.now() : 0;
    const { slot, created } = table.touch(obs.clientKey);
    observe(table, slot, obs, created);
    const g = global.observe(now, obs.path, created);
    computeFeatures(table, slot, now, x);
    const t1 = timed ? performance.now() : 0;
    let score = stage1.score(x);
    const t2 = timed ? performance.now() : 0;
    if (timed) { tFeatures.observe((t1 - t0) / 1000); tStage1.observe((t2 - t1) / 1000); }
    let scoreStage: 'stage1' | 'stage2' = 'stage1';
    if (stage2 && score >= escalateAt && !decide.blockedByRule(x, table.requests[slot]!)) {
      score = stage2.score(x);
      scoreStage = 'stage2';
      stage2Evaluations++;
      if (timed) tStage2.observe((performance.now() - t2) / 1000);
    }
    const nowSec = Math.floor(now / 1000);
    if (ctx.challengePassed) table.unansweredChallenges[slot] = 0;
    else if (nowSec - table.lastChallengeSec[slot]! > 600) table.unansweredChallenges[slot] = 0;
    // During a surge, new clients are challenged; when the surge has a hot path, only on that path.
    const surgeNewClient = g.surge && !ctx.challengePassed && table.firstSeen[slot]! >= g.surgeStartMs - cfg.global.newClientWindowSec * 1000
      && (g.pathShare >= cfg.global.hotPathShare || g.topPathShare < cfg.global.hotPathShare);
    const c = decide({ x, requests: table.requests[slot]!, score, scoreStage, scored: !stage2 || scoreStage === 'stage2', surgeNewClient, unansweredChallenges: table.unansweredChallenges[slot]!, challengePassed: ctx.challengePassed });
    inspected++;
    if ((c.action === 'throttle' || c.action === 'block') && c.stage !== 'global') global.uncount(created);
    const enforced = !cfg.shadow && !c.shadow;
    // every field set, in one order: one hidden class for every decision (and for the records made from them)
    const d: Decision = { action: c.action, enforced, reason: c.reason, score: c.stage === 'rules' ? 1 : score, stage: c.stage, retryAfterSec: undefined, blockSeconds: undefined };
    if (c.action === 'challenge') {
      table.unansweredChallenges[slot] = Math.min(255, table.unansweredChallenges[slot]! + 1);
      table.lastChallengeSec[slot] = nowSec;
    } else if (c.action === 'throttle') {
      d.retryAfterSec = cfg.policy.throttleRetryAfterSec;
    } else if (c.action === 'block') {
      if (nowSec - table.lastOffenseSec[slot]! > cfg.policy.block.forgetAfterSec) table.offenses[slot] = 0;
      const n = Math.min(255, table.offenses[slot]! + 1);
      table.offenses[slot] = n;
      table.lastOffenseSec[slot] = nowSec;
      d.blockSeconds = blockSeconds(cfg, n);
    }
    // named increments: a lookup by the action's name would be a megamorphic keyed load and store for V8
    switch (c.action) {
      case 'allow': counts.allow++; break;
      case 'challenge': counts.challenge++; break;
      case 'throttle': counts.throttle++; break;
      case 'block': counts.block++; break;
    }
    if (c.reason !== REASONS.ok) {
      metrics.decision(c.action, c.reason, enforced);
      remember(obs.clientKey, d, now, obs.path);
    }
    return d;
  }

  /**
   * Another replica's requests from this client. The rates are kept as of the client's last
   * local request (lastSeen, which also times the inter-arrival features), so arrivals after it
   * are scaled up by the decay from lastSeen to now that the next look will apply. After a long
   * local silence the scale is capped (REMOTE_MAX_AHEAD time constants): the 1 s rate then
   * forgets another replica's requests sooner than it should; the 10 s and 60 s rates do not.
   */
  function remote(clientKey: string, requests: number): void {
    const now = clock.now();
    const { slot, created } = table.touch(clientKey);
    if (created) { table.firstSeen[slot] = now; table.lastSeen[slot] = now; }
    const ahead = Math.max(0, now - table.lastSeen[slot]!);
    table.c1[slot] = table.c1[slot]! + requests * Math.exp(Math.min(ahead / 1000, REMOTE_MAX_AHEAD));
    table.c10[slot] = table.c10[slot]! + requests * Math.exp(Math.min(ahead / 10_000, REMOTE_MAX_AHEAD));
    table.c60[slot] = table.c60[slot]! + requests * Math.exp(Math.min(ahead / 60_000, REMOTE_MAX_AHEAD));
  }

  function top(x: Float64Array, contrib: Float64Array): Contribution[] {
    const idx = Array.from({ length: FEATURE_COUNT }, (_, i) => i).sort((a, b) => Math.abs(contrib[b]!) - Math.abs(contrib[a]!));
    return idx.slice(0, 5).map((i) => ({ feature: FEATURE_NAMES[i]!, value: x[i]!, contribution: contrib[i]! }));
  }

  return {
    inspect,
    remote,
    complete(clientKey, status) {
      const s = table.peek(clientKey);
      if (s >= 0) observeCompletion(table, s, status);
    },
    lastFeatures() {
      const out: Record<string, number> = {};
      for (let i = 0; i < FEATURE_COUNT; i++) if (Number.isFinite(x[i]!)) out[FEATURE_NAMES[i]!] = x[i]!;
      return out;
    },
    explain(clientKey) {
      const s = table.peek(clientKey);
      if (s < 0) return undefined;
      const fx = computeFeatures(table, s, Math.max(clock.now(), table.lastSeen[s]!), newFeatureVector());
      const c1 = new Float64Array(FEATURE_COUNT);
      const s1 = stage1.score(fx, c1);
      const features = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, fx[i]!])) as Record<FeatureName, number>;
      const out: ClientExplanation = {
        clientKey,
        firstSeenMs: table.firstSeen[s]!,
        lastSeenMs: table.lastSeen[s]!,
        requests: table.requests[s]!,
        features,
        stage1: { score: s1, top: top(fx, c1) },
        offenses: table.offenses[s]!,
        lastDecisions: [...(history.get(clientKey)?.records ?? [])],
      };
      if (stage2 && s1 >= escalateAt) {
        const c2 = new Float64Array(FEATURE_COUNT);
        stage2.contributions(fx, c2);
        out.stage2 = { score: stage2.score(fx), top: top(fx, c2) };
      }
      return out;
    },
    stats(): DetectorStats {
      const v = global.view();
      return {
        clients: table.size(),
        clientCapacity: table.capacity,
        evictions: table.evictions(),
        inspected,
        decisions: { ...counts },
        stage2Evaluations,
        surge: { active: v.surge, siteRps: v.siteRps, baselineRps: v.baselineRps, newClientsPerSec: v.newClientsPerSec, topPathShare: v.topPathShare },
        shadow: cfg.shadow,
        model: { stage1: stage1.model.version, stage2: stage2?.version ?? 'none' },
      };
    },
    close() { history.clear(); },
  };
}
