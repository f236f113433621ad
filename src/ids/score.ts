import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import { csvField, parseCsvLine } from './csv.js';
import { NON_FINITE_VALUE, coerceValue, createFeatureMapper, isNonFinite, normalizeName } from './features.js';
import type { IdsModel } from './model.js';

export interface ScoreOptions {
  input: string;
  /** Output CSV path; omitted = no per-flow output, summary only. */
  output?: string | undefined;
  model: IdsModel;
  clock: Clock;
  /** Where the progress bar goes (stderr in the CLI); null = none. */
  progress: NodeJS.WriteStream | Writable | null;
  /** Minimum milliseconds between progress updates. */
  progressEveryMs?: number;
}

export interface ScoreSummary {
  input: string;
  output: string | null;
  flows: number;
  attacks: number;
  benign: number;
  skippedRows: number;
  nonFiniteValues: number;
  families: Record<string, number>;
  /** Present when the CSV has a Label column: the model's agreement with it. */
  labelled: { attackFlows: number; benignFlows: number; detectionRate: number | null; falsePositiveRate: number | null; accuracy: number } | null;
  seconds: number;
  flowsPerSecond: number;
}

const OUT_HEADER = 'row,prediction,label,attack_probability,random_forest,xgboost,attack_family,family_probability';

/**
 * Streams a CICFlowMeter CSV line by line (constant memory whatever the size), scores every flow
 * and writes one output line per input row. Rows whose values are malformed are skipped and counted.
 */
export async function scoreCsv(opts: ScoreOptions): Promise<ScoreSummary> {
  const { model, clock } = opts;
  const mapper = createFeatureMapper(model.featureIds);
  const total = statSync(opts.input).size;
  const stream = createReadStream(opts.input, { highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const out = opts.output ? createWriteStream(opts.output) : null;
  const started = clock.monotonic();
  const every = opts.progressEveryMs ?? 200;
  let lastDraw = -Infinity;

  let columns: Int32Array | null = null;
  let labelCol = -1;
  let lineNo = 0;
  const row = new Float64Array(model.featureIds.length);
  const s = { flows: 0, attacks: 0, skipped: 0, nonFinite: 0, tp: 0, fp: 0, labelledAttacks: 0, labelledBenign: 0, correct: 0 };
  const families: Record<string, number> = {};

  const draw = (final: boolean) => {
    if (!opts.progress) return;
    const frac = total ? Math.min(1, stream.bytesRead / total) : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = Math.max(1e-3, (clock.monotonic() - started) / 1000);
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}% ${s.flows} flows, ${s.attacks} attacks, ${Math.round(s.flows / secs)} flows/s`;
    const tty = 'isTTY' in opts.progress && opts.progress.isTTY;
    opts.progress.write(tty ? `\r${text}${final ? '\n' : ''}` : `${text}\n`);
  };

  async function write(text: string): Promise<void> {
    if (out && !out.write(text)) await once(out, 'drain');
  }

  try {
    for await (const line of lines) {
      lineNo++;
      if (columns === null) {
        const header = parseCsvLine(line.replace(/^\uFEFF/, ''));
        const mapped = mapper.mapHeader(header);
        if (!mapped.ok) throw new Error(`${opts.input}: missing features: ${mapped.missing.join(', ')}`);
        columns = mapped.columns;
        labelCol = header.findIndex((h) => normalizeName(h) === 'label');
        await write(`${OUT_HEADER}${labelCol >= 0 ? ',true_label' : ''}\n`);
        continue;
      }
      if (line.trim() === '') continue;
      const fields = parseCsvLine(line);
      let ok = true;
      for (let i = 0; i < columns.length; i++) {
        const raw = fields[columns[i] as number];
        const v = raw === undefined ? undefined : coerceValue(raw);
        if (v === undefined) {
          ok = false;
          break;
        }
        if (v === NON_FINITE_VALUE && isNonFinite(raw)) s.nonFinite++;
        row[i] = v;
      }
      if (!ok) {
        s.skipped++;
        continue;
      }
      const r = model.score(row);
      s.flows++;
      if (r.prediction) {
        s.attacks++;
        families[r.family] = (families[r.family] ?? 0) + 1;
      }
      let trueLabel = '';
      if (labelCol >= 0) {
        trueLabel = (fields[labelCol] ?? '').trim();
        const isAttack = !/^benign$/i.test(trueLabel);
        if (isAttack) s.labelledAttacks++;
        else s.labelledBenign++;
        if (isAttack && r.prediction) s.tp++;
        if (!isAttack && r.prediction) s.fp++;
        if (isAttack === Boolean(r.prediction)) s.correct++;
      }
      await write(`${lineNo - 1},${r.prediction},${r.label},${r.probability.toFixed(6)},${r.randomForest.toFixed(6)},${r.xgboost.toFixed(6)},` +
        `${r.prediction ? r.family : ''},${r.prediction ? r.familyProbability.toFixed(6) : ''}${labelCol >= 0 ? `,${csvField(trueLabel)}` : ''}\n`);
      const now = clock.monotonic();
      if (now - lastDraw >= every) {
        lastDraw = now;
        draw(false);
      }
    }
    if (columns === null) throw new Error(`${opts.input}: empty file (no header)`);
    draw(true);
  } finally {
    lines.close();
    stream.destroy();
    if (out) {
      out.end();
      await once(out, 'close');
    }
  }
  const seconds = (clock.monotonic() - started) / 1000;
  return {
    input: opts.input, output: opts.output ?? null,
    flows: s.flows, attacks: s.attacks, benign: s.flows - s.attacks, skippedRows: s.skipped, nonFiniteValues: s.nonFinite, families,
    labelled: labelCol >= 0 ? {
      attackFlows: s.labelledAttacks, benignFlows: s.labelledBenign,
      detectionRate: s.labelledAttacks ? s.tp / s.labelledAttacks : null,
      falsePositiveRate: s.labelledBenign ? s.fp / s.labelledBenign : null,
      accuracy: s.flows ? s.correct / s.flows : 0,
    } : null,
    seconds, flowsPerSecond: seconds > 0 ? s.flows / seconds : 0,
  };
}
