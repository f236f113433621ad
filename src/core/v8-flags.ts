import { setFlagsFromString } from 'node:v8';

export interface V8Tuning {
  /** V8's allocation-site pretenuring (its default); off for the gateway unless configured. */
  pretenuring: boolean;
}

/**
 * The V8 flags a gateway process runs with. V8's allocation-site pretenuring watches object and
 * array literals and, once nearly every object from one site survived a young-generation
 * collection, allocates the site's objects straight in the old generation. A proxy makes most of
 * its objects for one request and drops them within a millisecond, yet at start-up and during a
 * burst its sites can look long-lived; once pretenured, every request's objects fill the old
 * generation and each fill costs a full mark-compact. Measured with `bench:proxy`'s paced load:
 * mark-compacts fell from about 1.5 to 0.1 per second and CPU per proxied request by about 15 %
 * without it (docs/BENCHMARKS.md).
 */
export function gatewayV8Flags(t: V8Tuning): string[] {
  return t.pretenuring ? [] : ['--no-allocation-site-pretenuring'];
}

/** Sets flags on the running V8 (for flags that V8 reads as it goes, as the GC's are); returns them. */
export function applyV8Flags(flags: readonly string[]): readonly string[] {
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
