import { setFlagsFromString } from 'node:v8';

/** The gateway configuration's V8 switches (`gateway.v8Pretenuring`, `gateway.v8MemoryReducer`). */
export interface V8Tuning {
  /** V8's allocation-site pretenuring (its default); off for the gateway unless configured. */
  v8Pretenuring: boolean;
  /** V8's memory reducer (its default); off for the gateway unless configured. */
  v8MemoryReducer: boolean;
}

/** The defaults of `gateway.v8Pretenuring` and `gateway.v8MemoryReducer`. */
export const DEFAULT_V8_TUNING: Readonly<V8Tuning> = { v8Pretenuring: false, v8MemoryReducer: false };

/**
 * The V8 flags a gateway process sets on its running V8 (flags V8 reads as it goes).
 *
 * Pretenuring: V8's allocation-site pretenuring watches object and array literals and, once
 * nearly every object from one site survived a young-generation collection, allocates the
 * site's objects straight in the old generation. A proxy makes most of its objects for one
 * request and drops them within a millisecond, yet at start-up and during a burst its sites can
 * look long-lived; once pretenured, every request's objects fill the old generation and each
 * fill costs a full mark-compact. Measured with `bench:proxy`'s paced load: mark-compacts fell
 * from about 1.5 to 0.1 per second and CPU per proxied request by about 15 % without it
 * (docs/BENCHMARKS.md).
 */
export function gatewayV8Flags(t: V8Tuning): string[] {
  return t.v8Pretenuring ? [] : ['--no-allocation-site-pretenuring'];
}

/**
 * The flags a gateway process's node must be started with: V8 reads them once, as it sets up
 * its heap, so setting them later changes nothing (the gateway command starts itself again
 * with them when they are missing, src/cli/respawn.ts).
 *
 * Memory reducer: some seconds after a full collection, when the allocation rate is low, V8
 * starts up to three more full collections that shrink the heap. For a gateway the rate is
 * low between bursts, and such a collection runs into the next burst: its marking and pause
 * land on the first requests, and the heap it shrank grows again under them. Measured with
 * `bench:stalls` (paced runs after 24 s idle each): with the reducer, the run that met its
 * collection gave 38–54 ms p99 against 2.4–5.2 ms for the others (docs/BENCHMARKS.md). Off, the
 * heap keeps the size its last burst needed.
 */
export function gatewayStartFlags(t: V8Tuning): string[] {
  return t.v8MemoryReducer ? [] : ['--no-memory-reducer'];
}

/** The flags of `wanted` that this process's node was not started with. */
export function missingNodeFlags(wanted: readonly string[], execArgv: readonly string[] = process.execArgv): string[] {
  return wanted.filter((f) => !execArgv.includes(f));
}

/** Sets flags on the running V8 (for flags that V8 reads as it goes, as the GC's are); returns them. */
export function applyV8Flags(flags: readonly string[]): readonly string[] {
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
