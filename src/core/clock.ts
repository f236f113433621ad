import { performance } from 'node:perf_hooks';

/** Injected time source: production uses the system clock, tests and replays use their own. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds (for durations); may be the same source as now() in tests. */
  monotonic(): number;
}

export function createSystemClock(): Clock {
  // performance is imported rather than read from the global object: the global is an accessor,
  // which costs V8 a call on every read (this clock is read several times per request)
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
  };
}

/** A clock that only moves when told to; for deterministic tests and log replay. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function createManualClock(startMs = 0): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    monotonic: () => t,
    set: (ms) => { t = ms; },
    advance: (ms) => { t += ms; },
  };
}
