import { Command } from 'commander';
import { createLogger } from '../core/logger.js';
import { createSystemClock } from '../core/clock.js';
import { applyV8Flags, DEFAULT_V8_TUNING, gatewayStartFlags, gatewayV8Flags } from '../core/v8-flags.js';
import { ensureNodeFlags } from './respawn.js';
import { onShutdownSignals } from './signals.js';
import { defaultWebDir } from './dashboard.js';
import { parsePort } from './parse.js';

/** `ddos-shield demo` (what `npm start` runs): the whole system on embedded defaults. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('Run the demo: library backend, gateway, dashboard and IDS API on embedded defaults')
    .option('-H, --host <h>', 'public address of the gateway', '127.0.0.1')
    .option('--port <n>', 'gateway port', parsePort, 8000)
    .option('--admin-port <n>', 'admin API port', parsePort, 8081)
    .option('--backend-port <n>', 'demo backend port', parsePort, 9000)
    .option('--dashboard-port <n>', 'dashboard port', parsePort, 8001)
    .option('--ids-port <n>', 'IDS API port', parsePort, 5000)
    .option('--sqlite-file <path>', 'dashboard database', './data/dashboard.sqlite')
    .action(async (opts: { host: string; port: number; adminPort: number; backendPort: number; dashboardPort: number; idsPort: number; sqliteFile: string }) => {
      const logger = createLogger({ level: (process.env.LOG_LEVEL as 'info' | undefined) ?? 'info', name: 'ddos-shield-demo' });
      // the demo's gateway runs on the default configuration, and so does its process
      await ensureNodeFlags(gatewayStartFlags(DEFAULT_V8_TUNING), logger);
      applyV8Flags(gatewayV8Flags(DEFAULT_V8_TUNING));
      const { startDemo } = await import('../demo/demo.js'); // loaded only by the process that runs it
      const demo = await startDemo(
        {
          host: opts.host, gatewayPort: opts.port, adminPort: opts.adminPort, backendPort: opts.backendPort,
          dashboardPort: opts.dashboardPort, idsPort: opts.idsPort, sqliteFile: opts.sqliteFile, webDir: defaultWebDir(), env: process.env,
        },
        { logger, clock: createSystemClock() },
      ).catch((err: Error) => {
        console.error(`demo failed to start: ${err.message}`);
        process.exit(1);
      });
      const width = Math.max(...Object.keys(demo.urls).map((k) => k.length));
      console.error('\nddos-shield demo is running:');
      for (const [name, url] of Object.entries(demo.urls)) console.error(`  ${name.padEnd(width)}  ${url}`);
      for (const n of demo.notes) console.error(`  ${n}`);
      console.error('Press Ctrl+C to stop.\n');
      onShutdownSignals(logger, () => demo.close());
    });
}
