import { Registry } from 'prom-client';
import { createManualClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { DetectionConfig } from '../config.js';
import { createDetector } from '../detector.js';
import type { Action } from '../types.js';
import type { LogRecord } from './logs.js';
import { observationFromLog } from './observation.js';

export interface ReplayOptions {
  config: DetectionConfig;
  logger: Logger;
  assumeBrowserHeaders: boolean;
  /** Challenged clients are browsers that solve the challenge (their later requests carry the pass). */
  challengesPassed: boolean;
}

export interface ClientOutcome {
  client: string;
  requests: number;
  /** Requests that would not have reached the site (challenged, throttled, blocked, or on the blocklist). */
  rejected: number;
  worst: Action;
  reasons: Record<string, number>;
  firstActionMs?: number;
  maxScore: number;
}

export interface ReplaySummary {
  requests: number;
  clients: number;
  outOfOrder: number;
  firstMs: number;
  lastMs: number;
  byAction: Record<Action, { clients: number; requests: number }>;
  rejectedRequests: number;
  flagged: ClientOutcome[];
}

const SEVERITY: Record<Action, number> = { allow: 0, challenge: 1, throttle: 2, block: 3 };

/**
 * Runs log records through the detector on the log's own clock, playing the gateway's part: a
 * blocked client stays on the blocklist for its block duration; a throttled request is refused;
 * a challenged one is refused, and with `challengesPassed` its browser holds a pass afterwards.
 * Records must come in time order (a record earlier than the previous one is counted and
 * replayed at the previous time).
 */
export function createReplay(o: ReplayOptions) {
  const clock = createManualClock(0);
  const detector = createDetector({ config: o.config, clock, logger: o.logger, registry: new Registry() });
  const clients = new Map<string, ClientOutcome>();
  const blockedUntil = new Map<string, number>();
  const passed = new Set<string>();
  const byAction: ReplaySummary['byAction'] = { allow: { clients: 0, requests: 0 }, challenge: { clients: 0, requests: 0 }, throttle: { clients: 0, requests: 0 }, block: { clients: 0, requests: 0 } };
  let requests = 0, outOfOrder = 0, last = -Infinity, first = NaN, rejectedRequests = 0;

  return {
    add(r: LogRecord): void {
      let t = r.timeMs;
      if (t < last) { outOfOrder++; t = last; }
      last = t;
      if (Number.isNaN(first)) first = t;
      clock.set(t);
      requests++;
      const obs = observationFromLog({ ...r, timeMs: t }, { assumeBrowserHeaders: o.assumeBrowserHeaders, v6Prefix: o.config.ipv6Prefix });
      let c = clients.get(obs.clientKey);
      if (!c) { c = { client: obs.clientKey, requests: 0, rejected: 0, worst: 'allow', reasons: {}, maxScore: 0 }; clients.set(obs.clientKey, c); }
      c.requests++;
      const until = blockedUntil.get(obs.clientKey);
      if (until !== undefined && until > t) { c.rejected++; rejectedRequests++; byAction.block.requests++; c.reasons.blocklisted = (c.reasons.blocklisted ?? 0) + 1; return; }
      const d = detector.inspect(obs, { challengePassed: passed.has(obs.clientKey) });
      byAction[d.action].requests++;
      if (d.score > c.maxScore) c.maxScore = d.score;
      if (d.action === 'allow') { detector.complete(obs.clientKey, r.status, r.bytes, 0); return; }
      c.rejected++;
      rejectedRequests++;
      c.reasons[d.reason] = (c.reasons[d.reason] ?? 0) + 1;
      c.firstActionMs ??= t;
      if (SEVERITY[d.action] > SEVERITY[c.worst]) c.worst = d.action;
      if (d.action === 'block') blockedUntil.set(obs.clientKey, t + (d.blockSeconds ?? 0) * 1000);
      if (d.action === 'challenge' && o.challengesPassed) passed.add(obs.clientKey);
    },
    summary(): ReplaySummary {
      for (const c of clients.values()) byAction[c.worst].clients++;
      const flagged = [...clients.values()].filter((c) => c.worst !== 'allow').sort((a, b) => SEVERITY[b.worst] - SEVERITY[a.worst] || b.rejected - a.rejected);
      return { requests, clients: clients.size, outOfOrder, firstMs: first, lastMs: last, byAction, rejectedRequests, flagged };
    },
    close: () => detector.close(),
  };
}
