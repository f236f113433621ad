/** Injected time source: production uses the system clock, tests and replays use their own. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds (for durations); may be the same source as now() in tests. */
  monotonic(): number;
}

export function createSystemClock(): Clock {
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
