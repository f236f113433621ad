import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Backend } from '../backends/pool.js';
import type { ShieldAction } from './metrics.js';
import type { HeaderSignals } from '../detect/signals.js';

/** What the stages read of a request: node:http's IncomingMessage or the fast path's parsed head. */
export type GatewayRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'rawHeaders' | 'httpVersion' | 'socket'>;

/** A request on the fast path: answered on its socket directly. */
export interface FastReply {
  readonly socket: Socket;
  /** The connection closes after this exchange. */
  close: boolean;
}

/** One request as it moves through the gateway's stages; each stage fills its own part. */
export interface RequestContext {
  readonly req: GatewayRequest;
  /** The header fields the detector and the events read, without building the fast path's headers object. */
  readonly signals: HeaderSignals;
  /** node:http's response, or null on the fast path (then `fast` is set). */
  readonly res: ServerResponse | null;
  readonly fast: FastReply | null;
  /** Monotonic ms at arrival. */
  readonly startedAt: number;
  /** Wall-clock ms at arrival. */
  readonly receivedAt: number;
  // identify
  peerIp: string;
  peerTrusted: boolean;
  clientIp: string;
  /** Detection key: the client address, IPv6 aggregated by prefix (set by the detection guard). */
  clientKey: string;
  /** The client is on the allowlist: never blocked, and not inspected by the detection guards either. */
  allowlisted: boolean;
  // decide
  /** Detector's score for this request, when it ran. */
  score: number | null;
  /** A decision the detector took but did not enforce (shadow mode): the action that would have been. */
  shadowAction: string | null;
  /** The client's features when the detector decided anything but allow (enforced or not): the dashboard's explanation. */
  features: Record<string, number> | null;
  // act
  /** Set when the gateway answered by itself. */
  action: ShieldAction | null;
  reason: string | null;
  // proxy
  backend: Backend | null;
  status: number;
  bytes: number;
  upstreamMs: number | null;
}
