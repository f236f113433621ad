/** Stage 2 as the detector uses it: a tree-ensemble probability and per-feature contributions. */
export interface Stage2Scorer {
  readonly version: string;
  score(x: Float64Array): number;
  /** Per-feature additive contributions to the margin (log-odds), same order as FEATURE_NAMES. */
  contributions(x: Float64Array, out: Float64Array): void;
}
