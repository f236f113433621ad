import { Command, Option } from 'commander';
import { DEFAULT_APP_NAME } from '../backend/app.js';
import { createDemoBackend } from '../backend/server.js';
import { urlHost } from '../core/listen.js';
import { createLogger } from '../core/logger.js';
import { onShutdownSignals } from './signals.js';
import { parseLevel, parsePort, type LogLevel } from './parse.js';

/** `ddos-shield backend`: the demo library catalogue that the gateway protects. */
export function backendCommand(): Command {
  return new Command('backend')
    .description('Run the demo application to protect (a small library catalogue; demo login reader/reader)')
    .addOption(new Option('-p, --port <n>', 'port to listen on (0 picks a free one)').env('BACKEND_PORT').argParser(parsePort).default(9000))
    .addOption(new Option('-H, --host <h>', 'address to bind').env('BACKEND_HOST').default('0.0.0.0'))
    .addOption(new Option('--name <s>', 'name shown in pages and /health').env('BACKEND_NAME').default(DEFAULT_APP_NAME))
    .addOption(new Option('--log-level <level>', 'log level (access lines are at debug)').env('LOG_LEVEL').argParser(parseLevel).default('info'))
    .action(async (opts: { port: number; host: string; name: string; logLevel: LogLevel }) => {
      const logger = createLogger({ level: opts.logLevel, name: 'ddos-shield-backend' });
      const backend = createDemoBackend({ logger, name: opts.name });
      const port = await backend.listen(opts.port, opts.host);
      logger.info({ url: `http://${urlHost(opts.host)}:${port}`, app: opts.name }, 'listening');

      onShutdownSignals(logger, () => backend.close());
    });
}
