import type { HeaderSignals } from './signals.js';
import type { FeatureName } from './features/names.js';

/** One request as the detector sees it; built by the gateway (or a replay) before `inspect`. */
export interface RequestObservation {
  /** Trusted-proxy aware address, IPv6 aggregated (see `clientKeyOf`). */
  clientKey: string;
  ip: string;
  timestampMs: number;
  method: string;
  path: string;
  /** Raw query string without the leading '?', '' when absent. */
  query: string;
  /** '1.0', '1.1', '2.0'. */
  httpVersion: string;
  /** The header fields the detector reads. */
  signals: HeaderSignals;
  headerCount: number;
  contentLength: number;
}

export type Action = 'allow' | 'challenge' | 'throttle' | 'block';

export type Stage = 'rules' | 'stage1' | 'stage2' | 'global' | 'challenge-pass' | 'allowlist';

export interface Decision {
  action: Action;
  /** False in shadow mode (globally or for the rule that fired): the gateway must not act. */
  enforced: boolean;
  /** Stable reason code (see REASONS in policy.ts). */
  reason: string;
  /** The score the decision rests on, in [0, 1]. */
  score: number;
  stage: Stage;
  /** For throttle: seconds for the Retry-After header (undefined for other actions). */
  retryAfterSec: number | undefined;
  /** For block: how long the gateway keeps the client on its blocklist (undefined for other actions). */
  blockSeconds: number | undefined;
}

export interface Contribution { feature: FeatureName; value: number; contribution: number }

export interface DecisionRecord extends Decision {
  atMs: number;
  path: string;
  /** Identical decisions (same action, reason, enforcement) coalesced into this record within a second: 1 or more. */
  count: number;
}

export interface ClientExplanation {
  clientKey: string;
  firstSeenMs: number;
  lastSeenMs: number;
  requests: number;
  features: Record<FeatureName, number>;
  stage1: { score: number; top: Contribution[] };
  /** Present when the client's stage-1 score reached the stage-2 threshold. */
  stage2?: { score: number; top: Contribution[] };
  offenses: number;
  lastDecisions: DecisionRecord[];
}

export interface DetectorStats {
  clients: number;
  clientCapacity: number;
  evictions: number;
  inspected: number;
  decisions: Record<Action, number>;
  stage2Evaluations: number;
  surge: { active: boolean; siteRps: number; baselineRps: number; newClientsPerSec: number; topPathShare: number };
  shadow: boolean;
  model: { stage1: string; stage2: string };
}

export interface InspectContext { challengePassed: boolean }

export interface Detector {
  /** O(1), no I/O. Updates the client's window and returns the decision for this request. */
  inspect(obs: RequestObservation, ctx: InspectContext): Decision;
  /** After the response: status (error ratio), bytes and duration. */
  complete(clientKey: string, status: number, bytes: number, durationMs: number): void;
  /** Requests another replica saw from the client since its last batch: they count in its request rates. */
  remote(clientKey: string, requests: number): void;
  explain(clientKey: string): ClientExplanation | undefined;
  /** The feature values (finite ones only) the last inspect() decided on. */
  lastFeatures(): Record<string, number>;
  stats(): DetectorStats;
  close(): void;
}
