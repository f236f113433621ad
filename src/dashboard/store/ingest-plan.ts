import type { Insertable } from 'kysely';
import type { AlertsTable, RequestsTable, RollupIpHourTable, RollupMinuteTable, RollupPathHourTable } from '../db/schema.js';

/** What one ingested batch writes, aggregated in memory first: every rollup key appears once. */
export interface BatchPlan {
  /** Raw rows (allowed events possibly sampled out). */
  rows: RequestRow[];
  /** Rollup rows to add to the stored ones, each list sorted by its key (a fixed lock order). */
  minute: RollupMinuteTable[];
  ipHour: RollupIpHourTable[];
  pathHour: RollupPathHourTable[];
  /** Blocked clients of the batch, sorted by address. */
  blocks: BlockUpdate[];
}

export type RequestRow = Omit<Insertable<RequestsTable>, 'id'> & { features: string | null; weight: number };

export interface BlockUpdate {
  ip: string;
  n: number;
  conf: number;
  first: number;
  last: number;
  /**
   * Why the client was blocked: the reason of the batch's earliest block event that is not a
   * refusal by the blocklist (the event of the decision itself), else `blocklist`. The writers keep
   * a stored reason over `blocklist`, so that later refusals never hide the decision's reason.
   */
  reason: string;
  /** Time of the event the reason comes from (ms). */
  reasonAt: number;
  features: string | null;
}

/** A client's block state before the batch. */
export interface PreviousBlock { last_blocked: number; state: string; last_reason: string }

/** The reason of the gateways' refusals of a client already on their blocklist: it says nothing of why it is there. */
export const BLOCKLIST_REASON = 'blocklist';

export type AlertRow = Insertable<AlertsTable>;

/**
 * Writes a plan in one transaction. `alertsFor` is called inside it with the block state the
 * batch's clients had before, and returns the alerts to insert in the same transaction.
 */
export interface BatchWriter {
  write(plan: BatchPlan, now: number, alertsFor: (previous: Map<string, PreviousBlock>) => AlertRow[]): Promise<void>;
}

/** Columns of `requests` in the order the writers bind them. */
export const REQUEST_COLUMNS = ['ts', 'source_ip', 'path', 'method', 'user_agent', 'prediction', 'confidence', 'is_blocked',
  'status', 'response_time_ms', 'size', 'gateway_id', 'action', 'reason', 'features', 'weight'] as const satisfies readonly (keyof RequestRow)[];

/** Summed columns of `rollup_minute`. */
export const MINUTE_SUMS = ['total', 'blocked', 'act_allow', 'act_challenge', 'act_throttle', 'act_block', 'act_error', 'pred_normal',
  'pred_suspicious', 'pred_ddos', 'pred_blocked', 'confidence_sum', 'response_time_sum', 'bytes_sum', 'status_4xx',
  'status_5xx'] as const satisfies readonly (keyof RollupMinuteTable)[];
