/** Shared vocabulary of the traffic lab: labels, answer classes and one request's result. */

export type Label = 'benign' | 'attack';

/**
 * Who answered a request, as the client sees it.
 * - backend: the lab's sink answered (it stamps `x-lab-sink` on every response); for a target
 *   whose backend is not the sink (Backend 'site'): the site answered (no `x-shield-action`,
 *   2xx/3xx or a 4xx of its own such as 401/404)
 * - block / throttle / challenge: the gateway answered itself (`x-shield-action`)
 * - reject: a proxy answered with a refusal (403/429/503; for a site: 429/503) without the sink's stamp
 * - proxy-error: a proxy or the gateway answered with any other error of its own (for a site:
 *   also a 5xx without `x-shield-action`, which cannot be told from a proxy's)
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

/**
 * What stands behind the target:
 * - sink: the lab's own sink, which stamps every answer it gives (`x-lab-sink`); an answer
 *   without the stamp came from something in front of it
 * - site: a site the lab did not start (a URL target), whose answers carry no stamp: an answer
 *   without `x-shield-action` is the site's own unless it is a refusal or a server error
 */
export type Backend = 'sink' | 'site';

/** Classifies one HTTP answer by who produced it. */
export function classify(status: number, headers: Record<string, string | string[] | undefined>, backend: Backend = 'sink'): Outcome {
  if (headers[SINK_HEADER] !== undefined) return 'backend';
  const action = headers[SHIELD_ACTION_HEADER];
  const a = Array.isArray(action) ? action[0] : action;
  if (a === 'block' || a === 'throttle' || a === 'challenge') return a;
  if (a !== undefined) return 'proxy-error';
  if (backend === 'site') {
    // The gateway stamps every answer of its own; a rate limit or an overload refusal without
    // the stamp is still a refusal (another proxy's, or the site shedding load), any other
    // 4xx is the site's own verdict on the request (401 for a wrong password, 404 for a scan).
    if (status === 429 || status === 503) return 'reject';
    return status < 500 ? 'backend' : 'proxy-error';
  }
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
