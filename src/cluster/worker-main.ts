// A gateway worker process: node:cluster runs this file when gateway.workers > 1. It waits for
// its configuration from the primary, then runs the gateway service like `ddos-shield gateway`.
import { createLogger } from '../core/logger.js';
import { createSystemClock } from '../core/clock.js';
import { applyV8Flags, gatewayV8Flags } from '../core/v8-flags.js';
import { startGatewayService } from '../gateway/service.js';
import { createWorkerLink, processIpc } from './worker-link.js';
import { toWorker, type ToWorker } from './messages.js';
import { startFailureMessage } from '../cli/start-error.js';

type Start = Extract<ToWorker, { t: 'start' }>;

const start = await new Promise<Start>((resolve) => {
  const on = (raw: unknown) => {
    const m = toWorker(raw);
    if (m?.t !== 'start') return;
    process.off('message', on);
    resolve(m);
  };
  process.on('message', on);
  process.send?.({ t: 'hello' });
});
const { config, index } = start;
const logger = createLogger({ level: config.logging.level, name: 'ddos-shield-gateway' }).child({ worker: index });
applyV8Flags(gatewayV8Flags(config.gateway));
const link = createWorkerLink(processIpc(), index, logger);
const svc = await startGatewayService(config, {
  logger, clock: createSystemClock(), worker: { link, blocks: start.blocks },
}).catch((err: unknown) => {
  // the primary prints this one line and stops the others (a port in use is the usual cause; no stack)
  const message = startFailureMessage(err, config);
  logger.debug({ err }, 'worker failed to start');
  if (process.send) process.send({ t: 'failed', message }, () => process.exit(1));
  else { process.stderr.write(`${message}\n`); process.exit(1); }
  return new Promise<never>(() => {});
});

// one graceful stop, whoever asks first: the primary (IPC), a signal (a terminal's Ctrl-C reaches
// every process of the group), or the primary's end (the IPC channel closes)
let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ why }, 'worker stopping, draining in-flight requests');
  svc.close().then(
    () => process.exit(0),
    (err: unknown) => { logger.error({ err }, 'worker shutdown failed'); process.exit(1); },
  );
};
process.on('message', (raw: unknown) => { if (toWorker(raw)?.t === 'stop') stop('primary'); });
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('disconnect', () => stop('primary gone'));
link.ready(svc.port, svc.adminPort);
