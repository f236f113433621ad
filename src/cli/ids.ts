import { Command } from 'commander';
import { createSystemClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { compileIdsConfig, IDS_DEFAULTS, type IdsConfigInput } from '../ids/config.js';
import { loadIdsModel } from '../ids/model.js';
import { scoreCsv } from '../ids/score.js';
import { createIdsServer } from '../ids/server.js';

interface ServeFlags {
  host?: string;
  port?: string;
  apiKey?: string;
  logLevel?: string;
  modelDir?: string;
  maxBatch?: string;
  rateLimit?: string;
  rateBurst?: string;
  dashboardUrl?: string;
}

async function serve(flags: ServeFlags): Promise<void> {
  let config;
  try {
    config = compileIdsConfig({
      host: flags.host, port: flags.port, apiKey: flags.apiKey, logLevel: flags.logLevel, modelDir: flags.modelDir,
      maxBatch: flags.maxBatch, rateLimitPerSecond: flags.rateLimit, rateLimitBurst: flags.rateBurst, dashboardUrl: flags.dashboardUrl,
    } as Partial<IdsConfigInput>, process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger({ level: config.logLevel });
  const model = loadIdsModel(config.modelDir);
  const ids = createIdsServer(config, { model, logger });
  await ids.listen();
  const stop = () => {
    logger.info('ids shutting down');
    void ids.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function score(file: string, flags: { out?: string; modelDir?: string; json?: boolean; progress: boolean }): Promise<void> {
  const model = loadIdsModel(flags.modelDir);
  const summary = await scoreCsv({ input: file, output: flags.out, model, clock: createSystemClock(), progress: flags.progress ? process.stderr : null });
  if (flags.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
  console.log(`scored ${summary.flows} flows in ${summary.seconds.toFixed(2)} s (${Math.round(summary.flowsPerSecond)} flows/s)`);
  console.log(`  attack ${summary.attacks}, benign ${summary.benign}, rows skipped (malformed) ${summary.skippedRows}, non-finite values ${summary.nonFiniteValues}`);
  const fams = Object.entries(summary.families).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  if (fams) console.log(`  attack families: ${fams}`);
  if (summary.labelled) {
    const l = summary.labelled;
    console.log(`  against the file's Label column: detection rate ${pct(l.detectionRate)} of ${l.attackFlows} attack flows, ` +
      `false-positive rate ${pct(l.falsePositiveRate)} of ${l.benignFlows} benign flows, accuracy ${pct(l.accuracy)}`);
  }
  if (summary.output) console.log(`  predictions written to ${summary.output}`);
}

export function idsCommand(): Command {
  const cmd = new Command('ids')
    .description('Flow intrusion detection API: scores CICFlowMeter flows (RandomForest + XGBoost)')
    .option('--host <host>', `listen address (env IDS_HOST, default ${IDS_DEFAULTS.host})`)
    .option('--port <port>', `listen port (env IDS_PORT, default ${IDS_DEFAULTS.port})`)
    .option('--api-key <key>', 'require this X-API-Key on /predict, /predict/batch, /model/info (env IDS_API_KEY)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL)')
    .option('--model-dir <dir>', 'folder with model_card.json and the model files (env IDS_MODEL_DIR, default: shipped models/ids)')
    .option('--max-batch <n>', `flows per /predict/batch (env IDS_MAX_BATCH, default ${IDS_DEFAULTS.maxBatch})`)
    .option('--rate-limit <n>', `requests per second per client (env IDS_RATE_LIMIT, default ${IDS_DEFAULTS.rateLimitPerSecond})`)
    .option('--rate-burst <n>', `burst per client (env IDS_RATE_BURST, default ${IDS_DEFAULTS.rateLimitBurst})`)
    .option('--dashboard-url <url>', 'send attack alerts to <url>/api/alerts (env DASHBOARD_URL; token from DASHBOARD_TOKEN)')
    .action(serve);
  cmd.command('score')
    .description('Score a CICFlowMeter CSV of any size (streamed); prints a summary')
    .argument('<file>', 'CSV with a header row (any supported feature spelling)')
    .option('--out <file>', 'write one prediction per row to this CSV')
    .option('--model-dir <dir>', 'model folder (default: shipped models/ids)')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar on stderr')
    .action(score);
  return cmd;
}
