import { Command } from 'commander';
import { loadGatewayConfig, type GatewayFlags } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { createLogger } from '../core/logger.js';
import { createSystemClock } from '../core/clock.js';
import { applyV8Flags, gatewayStartFlags, gatewayV8Flags } from '../core/v8-flags.js';
import { ensureNodeFlags } from './respawn.js';
import { onShutdownSignals } from './signals.js';
import { startFailureMessage } from './start-error.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface GatewayOpts extends GatewayFlags { config?: string; checkConfig?: boolean }

/** Loads the configuration from file, environment and flags; prints every problem and exits 2 if invalid. */
export function configOrExit(opts: GatewayOpts): GatewayConfig {
  const r = loadGatewayConfig({ ...(opts.config ? { file: opts.config } : {}), env: process.env, flags: opts });
  if (!r.ok) {
    console.error(`invalid configuration (${r.errors.length} problem${r.errors.length > 1 ? 's' : ''}):`);
    for (const e of r.errors) console.error(`  - ${e}`);
    process.exit(2);
  }
  return r.config;
}

/** Prints why the gateway could not start (one line, no stack) and exits 1. */
function exitOnStartFailure(err: unknown, config: GatewayConfig): never {
  console.error(startFailureMessage(err, config));
  process.exit(1);
}

/** `ddos-shield gateway`: the reverse proxy and its admin API. */
export function gatewayCommand(): Command {
  return new Command('gateway')
    .description('Run the protecting reverse proxy (flags override environment, which overrides the config file)')
    .option('-c, --config <file>', 'YAML configuration file (see config/gateway.example.yaml)')
    .option('-p, --port <n>', 'public port (GATEWAY_PORT, default 8000)')
    .option('-H, --host <h>', 'public address (GATEWAY_HOST, default 0.0.0.0)')
    .option('--admin-port <n>', 'admin API port (ADMIN_PORT, default 8081)')
    .option('--admin-host <h>', 'admin API address (ADMIN_HOST, default 127.0.0.1)')
    .option('-b, --backend <url>', 'backend origin, host:port or URL; repeat for several (BACKEND_TARGETS, BACKEND_URL)', collect)
    .option('--trusted-proxy <cidr>', 'peer whose X-Forwarded-For is believed; repeat or comma-separate (TRUSTED_PROXIES)', collect)
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (LOG_LEVEL)')
    .option('--shadow', 'run detection without enforcing it: decisions are recorded, not acted on (SHADOW_MODE=true)')
    .option('--workers <n>', 'worker processes sharing the public port, 1..64 (GATEWAY_WORKERS, default 1)')
    .option('--check-config', 'validate the configuration, print it and exit (0 valid, 2 invalid)')
    .action(async (opts: GatewayOpts & { trustedProxy?: string[] }) => {
      const config = configOrExit({ ...opts, ...(opts.trustedProxy ? { trustedProxies: opts.trustedProxy } : {}) });
      if (opts.checkConfig) {
        const shown = { ...config, admin: { ...config.admin, token: config.admin.token ? '(set)' : '' }, dashboard: { ...config.dashboard, token: config.dashboard.token ? '(set)' : '' }, challenge: { ...config.challenge, secret: config.challenge.secret ? '(set)' : '' } };
        console.log(JSON.stringify(shown, null, 2));
        console.error('configuration is valid');
        return;
      }
      const logger = createLogger({ level: config.logging.level, name: 'ddos-shield-gateway' });
      if (config.gateway.workers > 1) {
        // the workers are started with the node flags they need (the primary serves no requests)
        const { startClusterPrimary } = await import('../cluster/primary.js');
        const primary = await startClusterPrimary(config, { logger, clock: createSystemClock() }).catch((err: unknown) => exitOnStartFailure(err, config));
        onShutdownSignals(logger, () => primary.close());
        return;
      }
      const startFlags = gatewayStartFlags(config.gateway);
      await ensureNodeFlags(startFlags, logger);
      const v8Flags = applyV8Flags(gatewayV8Flags(config.gateway));
      if (v8Flags.length > 0 || startFlags.length > 0) logger.info({ v8Flags: [...startFlags, ...v8Flags] }, 'V8 flags set');
      const { startGatewayService } = await import('../gateway/service.js'); // loaded only by the process that runs it
      // a listener that cannot bind (port in use, say) ends the start with one line and exit 1; the
      // service closes whatever it had opened before it throws
      const svc = await startGatewayService(config, { logger, clock: createSystemClock() }).catch((err: unknown) => exitOnStartFailure(err, config));
      onShutdownSignals(logger, () => svc.close());
    });
}
