/** What a stretch of `node --trace-gc-nvp` output says about allocation and collection. */
export interface GcSummary {
  /** Bytes allocated, summed over the collections (each line gives what was allocated since the one before). */
  allocatedBytes: number;
  /** Young-generation collections (scavenges) and their pauses (ms). */
  scavengePausesMs: number[];
  /** Every other collection (mark-compact) and its pause (ms). */
  fullPausesMs: number[];
}

const FIELD = /(?:^|\s)(pause|gc|allocated)=(\S+)/g;

/** Sums the collection lines of `node --trace-gc-nvp` output; other lines are skipped. */
export function summarizeGcTrace(text: string): GcSummary {
  const out: GcSummary = { allocatedBytes: 0, scavengePausesMs: [], fullPausesMs: [] };
  for (const line of text.split('\n')) {
    let kind: string | undefined;
    let pause = Number.NaN;
    let allocated = 0;
    for (const m of line.matchAll(FIELD)) {
      if (m[1] === 'gc') kind = m[2];
      else if (m[1] === 'pause') pause = Number(m[2]);
      else allocated = Number(m[2]);
    }
    if (kind === undefined || !Number.isFinite(pause)) continue;
    out.allocatedBytes += Number.isFinite(allocated) ? allocated : 0;
    (kind === 's' ? out.scavengePausesMs : out.fullPausesMs).push(pause);
  }
  return out;
}
