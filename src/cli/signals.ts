import type { Logger } from '../core/logger.js';

/** SIGINT/SIGTERM run `stop` once (a graceful drain); a second signal exits at once. */
export function onShutdownSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down, draining in-flight requests');
    stop().then(
      () => { logger.info('stopped'); process.exit(0); },
      (err: unknown) => { logger.error({ err }, 'shutdown failed'); process.exit(1); },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
