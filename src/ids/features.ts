import schema from './feature-schema.json' with { type: 'json' };

/**
 * The canonical CICFlowMeter feature schema and the mapping from the spellings people have
 * (CSE-CIC-IDS2018 `Tot Fwd Pkts`, CIC-IDS2017 ` Total Fwd Packets` with its leading space,
 * the later `Total Fwd Packet` / `Fwd Packets Length Total`, or the canonical id `tot_fwd_pkts`)
 * to one index. Names match after lower-casing and dropping every non-alphanumeric character.
 *
 * Value policy (identical to training, scripts/ids/data.py): a finite number or numeric string is
 * used as is; null, "", NaN, Infinity and -Infinity (also as strings "inf", "nan") are "not finite"
 * and become NON_FINITE_VALUE (-1). Anything else (text, booleans, objects) is malformed.
 */

export const NON_FINITE_VALUE = -1;

export interface FeatureDef {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
}

export const FEATURES: readonly FeatureDef[] = schema.features;

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export interface FeatureProblem {
  feature: string;
  problem: 'missing' | 'malformed' | 'duplicate';
  detail?: string;
}

export type ParseResult = { ok: true; row: Float64Array; nonFinite: number } | { ok: false; problems: FeatureProblem[] };

export interface FeatureMapper {
  /** Model feature ids in model column order. */
  readonly modelIds: readonly string[];
  /** Canonical id for a spelling, or undefined when the name is not a known feature. */
  resolve(name: string): string | undefined;
  /** Maps one flow object (any spelling) to a model row; unknown keys are ignored. */
  parse(flow: Record<string, unknown>): ParseResult;
  /** Column index per model feature for a CSV header, or the missing model features. */
  mapHeader(header: readonly string[]): { ok: true; columns: Int32Array } | { ok: false; missing: string[] };
}

const NON_FINITE_TEXT = new Set(['', 'nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity', 'null']);
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Returns the model value for a raw JSON/CSV value, or undefined when it is malformed. */
export function coerceValue(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NON_FINITE_VALUE;
  if (v === null) return NON_FINITE_VALUE;
  if (typeof v === 'string') {
    const s = v.trim();
    if (NON_FINITE_TEXT.has(s.toLowerCase())) return NON_FINITE_VALUE;
    if (!NUMBER_TEXT.test(s)) return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : NON_FINITE_VALUE;
  }
  return undefined;
}

/** True when a raw value is one of the non-finite forms (null, NaN, Infinity, "inf", "", 1e999). */
export function isNonFinite(v: unknown): boolean {
  if (v === null) return true;
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v !== 'string') return false;
  const s = v.trim();
  return NON_FINITE_TEXT.has(s.toLowerCase()) || (NUMBER_TEXT.test(s) && !Number.isFinite(Number(s)));
}

export function createFeatureMapper(modelIds: readonly string[]): FeatureMapper {
  const lookup = new Map<string, string>();
  for (const f of FEATURES) {
    for (const spelling of [f.id, f.name, ...f.aliases]) {
      const key = normalizeName(spelling);
      const prev = lookup.get(key);
      if (prev !== undefined && prev !== f.id) throw new Error(`feature spelling ${spelling} maps to ${prev} and ${f.id}`);
      lookup.set(key, f.id);
    }
  }
  const known = new Set(FEATURES.map((f) => f.id));
  for (const id of modelIds) if (!known.has(id)) throw new Error(`model feature ${id} is not in the schema`);
  const position = new Map(modelIds.map((id, i) => [id, i]));
  const n = modelIds.length;
  // Exact-key cache: repeated flows use the same handful of spellings.
  const keyCache = new Map<string, number>();
  const cacheLimit = 4096;

  function positionOf(key: string): number {
    let p = keyCache.get(key);
    if (p === undefined) {
      const id = lookup.get(normalizeName(key));
      p = id === undefined ? -2 : (position.get(id) ?? -1); // -2 unknown name, -1 known but unused
      if (keyCache.size < cacheLimit) keyCache.set(key, p);
    }
    return p;
  }

  return {
    modelIds,
    resolve: (name) => lookup.get(normalizeName(name)),
    parse(flow) {
      const row = new Float64Array(n).fill(NaN);
      const problems: FeatureProblem[] = [];
      let nonFinite = 0;
      for (const key of Object.keys(flow)) {
        const p = positionOf(key);
        if (p < 0) continue;
        const raw = flow[key];
        const v = coerceValue(raw);
        if (v === undefined) {
          problems.push({ feature: key, problem: 'malformed', detail: `expected a number, got ${JSON.stringify(raw)?.slice(0, 40)}` });
          continue;
        }
        if (!Number.isNaN(row[p] as number)) {
          if (row[p] !== v) problems.push({ feature: modelIds[p] as string, problem: 'duplicate', detail: 'given twice with different values' });
          continue;
        }
        if (v === NON_FINITE_VALUE && isNonFinite(raw)) nonFinite++;
        row[p] = v;
      }
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(row[i] as number) && !problems.some((x) => positionOf(x.feature) === i)) {
          problems.push({ feature: nameOf(modelIds[i] as string), problem: 'missing' });
        }
      }
      return problems.length ? { ok: false, problems } : { ok: true, row, nonFinite };
    },
    mapHeader(header) {
      const columns = new Int32Array(n).fill(-1);
      header.forEach((h, col) => {
        const p = positionOf(h);
        if (p >= 0 && columns[p] === -1) columns[p] = col;
      });
      const missing = modelIds.filter((_, i) => columns[i] === -1).map(nameOf);
      return missing.length ? { ok: false, missing } : { ok: true, columns };
    },
  };
}

const NAMES = new Map(FEATURES.map((f) => [f.id, f.name]));
function nameOf(id: string): string {
  return NAMES.get(id) ?? id;
}
