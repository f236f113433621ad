/** Shared vocabulary of the traffic lab: labels, answer classes and one request's result. */

export type Label = 'benign' | 'attack';

/**
 * Who answered a request, as the client sees it.
 * - backend: the lab's sink answered (it stamps `x-lab-sink` on every response)
 * - block / throttle / challenge: the gateway answered itself (`x-shield-action`)
 * - reject: a proxy answered with a refusal (403/429/503) that did not come from the sink
 * - proxy-error: a proxy or the gateway answered with any other error of its own
 * - error: no HTTP answer at all (refused, reset, timed out)
 */
export type Outcome = 'backend' | 'block' | 'throttle' | 'challenge' | 'reject' | 'proxy-error' | 'error';

export const OUTCOMES: readonly Outcome[] = ['backend', 'block', 'throttle', 'challenge', 'reject', 'proxy-error', 'error'];

/** Answers that mean the protection in front of the backend stopped the request. */
export function isStopped(o: Outcome): boolean {
  return o === 'block' || o === 'throttle' || o === 'challenge' || o === 'reject';
}

export const SINK_HEADER = 'x-lab-sink';
export const CLIENT_HEADER = 'x-lab-client';
export const SHIELD_ACTION_HEADER = 'x-shield-action';

/** Classifies one HTTP answer by who produced it. */
export function classify(status: number, headers: Record<string, string | string[] | undefined>): Outcome {
  if (headers[SINK_HEADER] !== undefined) return 'backend';
  const action = headers[SHIELD_ACTION_HEADER];
  const a = Array.isArray(action) ? action[0] : action;
  if (a === 'block' || a === 'throttle' || a === 'challenge') return a;
  if (a !== undefined) return 'proxy-error';
  if (status === 403 || status === 429 || status === 503) return 'reject';
  return 'proxy-error';
}

/** The result of one request, as recorded by a generator. */
export interface RequestResult {
  clientId: string;
  label: Label;
  /** Milliseconds since the run started (monotonic) when the request was sent. */
  sentAt: number;
  /** Milliseconds until the answer (or the failure). */
  latencyMs: number;
  outcome: Outcome;
  /** HTTP status, 0 when there was no answer. */
  status: number;
  /** Why there was no answer (an error code such as ECONNRESET or UND_ERR_HEADERS_TIMEOUT). */
  error?: string;
}

export type ResultSink = (r: RequestResult) => void;

/** A client id carries its label first: `attack/flood/17`, so that the sink can tell them apart. */
export function clientId(label: Label, kind: string, n: number | string): string {
  return `${label}/${kind}/${n}`;
}

export function labelOfClientId(id: string | undefined): Label | 'untagged' {
  if (!id) return 'untagged';
  if (id.startsWith('attack/')) return 'attack';
  if (id.startsWith('benign/')) return 'benign';
  return 'untagged';
}
