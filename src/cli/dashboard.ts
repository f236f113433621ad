import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../core/logger.js';
import { createSystemClock } from '../core/clock.js';
import { DASHBOARD_DEFAULTS, buildDashboardConfig } from '../dashboard/config.js';
import { startDashboard } from '../dashboard/server.js';
import { onShutdownSignals } from './signals.js';
import { parseLevel, parsePort, parseWholeNumber, type LogLevel } from './parse.js';

function parseHours(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number of hours');
  return n;
}
function parseRate(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('must be a number in (0, 1]');
  return n;
}
const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** The built web UI: dist/web beside dist/cli, or ./dist/web when run from source. */
export function defaultWebDir(): string {
  for (const candidate of [new URL('../web/', import.meta.url), new URL('../../dist/web/', import.meta.url)]) {
    const dir = fileURLToPath(candidate);
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return '';
}

/** `ddos-shield dashboard`: request log ingestion, storage, query API and the web UI on one server. */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('Run the dashboard: log ingestion, SQLite/PostgreSQL storage, query API and web UI')
    .addOption(new Option('-p, --port <n>', 'port to listen on').env('DASHBOARD_PORT').argParser(parsePort).default(DASHBOARD_DEFAULTS.port))
    .addOption(new Option('-H, --host <h>', 'address to bind').env('DASHBOARD_HOST').default(DASHBOARD_DEFAULTS.host))
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (otherwise SQLite)').env('DATABASE_URL'))
    .addOption(new Option('--sqlite-file <path>', 'SQLite database file').env('DASHBOARD_SQLITE_FILE').default(DASHBOARD_DEFAULTS.sqliteFile))
    .addOption(new Option('--ingest-token <t>', 'token gateways send to POST /api/logs (generated and printed when absent)').env('DASHBOARD_INGEST_TOKEN'))
    .addOption(new Option('--admin-user <name>', 'admin user created at first start').env('DASHBOARD_ADMIN_USER').default(DASHBOARD_DEFAULTS.adminUser))
    .addOption(new Option('--admin-password <pw>', 'its password: set on the admin user at every start (generated when absent and no user exists, printed and written beside the SQLite file)').env('DASHBOARD_ADMIN_PASSWORD'))
    .addOption(new Option('--gateway-admin-token <t>', 'bearer token for the gateways\' admin APIs (block/unblock)').env('GATEWAY_ADMIN_TOKEN'))
    .addOption(new Option('--gateway-admin-urls <list>', 'comma-separated gateway admin URLs besides those announced by heartbeats').env('GATEWAY_ADMIN_URLS').argParser(list))
    .addOption(new Option('--retention-hours <h>', 'hours of raw request rows kept').env('DASHBOARD_RETENTION_HOURS').argParser(parseHours).default(24))
    .addOption(new Option('--rollup-retention-hours <h>', 'hours of rollups, alerts and history kept').env('DASHBOARD_ROLLUP_RETENTION_HOURS').argParser(parseHours).default(31 * 24))
    .addOption(new Option('--sample-allowed-rate <r>', 'share of allowed requests stored as rows under load (totals stay exact)').env('DASHBOARD_SAMPLE_ALLOWED_RATE').argParser(parseRate).default(1))
    .addOption(new Option('--sample-above <n>', 'allowed requests per second stored in full before sampling').env('DASHBOARD_SAMPLE_ABOVE').argParser(parseWholeNumber(0)).default(DASHBOARD_DEFAULTS.sampleAllowedAbovePerSecond))
    .addOption(new Option('--cors-origins <list>', 'comma-separated allowed CORS origins (default: CORS off)').env('DASHBOARD_CORS_ORIGINS').argParser(list))
    .addOption(new Option('--web-dir <dir>', 'directory of the built web UI').env('DASHBOARD_WEB_DIR'))
    .addOption(new Option('--secure-cookies', 'mark the session cookie Secure (behind HTTPS)').env('DASHBOARD_SECURE_COOKIES'))
    .addOption(new Option('--log-level <level>', 'log level').env('LOG_LEVEL').argParser(parseLevel).default('info'))
    .action(async (opts: {
      port: number; host: string; databaseUrl?: string; sqliteFile: string; ingestToken?: string; adminUser: string;
      adminPassword?: string; gatewayAdminToken?: string; gatewayAdminUrls?: string[]; retentionHours: number;
      rollupRetentionHours: number; sampleAllowedRate: number; sampleAbove: number; corsOrigins?: string[]; webDir?: string;
      secureCookies?: boolean; logLevel: LogLevel;
    }) => {
      const logger = createLogger({ level: opts.logLevel, name: 'ddos-shield-dashboard' });
      let config;
      try {
        config = buildDashboardConfig({
          port: opts.port, host: opts.host, databaseUrl: opts.databaseUrl ?? '', sqliteFile: opts.sqliteFile,
          ingestToken: opts.ingestToken ?? '', adminUser: opts.adminUser, adminPassword: opts.adminPassword ?? '',
          gatewayAdminToken: opts.gatewayAdminToken ?? '', gatewayAdminUrls: opts.gatewayAdminUrls ?? [],
          retentionRequestsMs: Math.round(opts.retentionHours * 3_600_000), retentionRollupsMs: Math.round(opts.rollupRetentionHours * 3_600_000),
          sampleAllowedRate: opts.sampleAllowedRate, sampleAllowedAbovePerSecond: opts.sampleAbove,
          corsOrigins: opts.corsOrigins ?? [], webDir: opts.webDir ?? defaultWebDir(), secureCookies: Boolean(opts.secureCookies),
        });
      } catch (err) {
        console.error((err as Error).message);
        process.exit(2);
      }
      if (!config.webDir) logger.warn('web UI not built (run npm run build); serving the API only');
      const h = await startDashboard(config, { clock: createSystemClock(), logger });
      console.error(`dashboard: ${h.url}  (API docs: ${h.url}/api/docs)`);
      // without a file (PostgreSQL) the dashboard printed the generated password itself, as soon as it was created
      if (h.generatedAdminPassword && h.adminPasswordFile) {
        console.error(`dashboard: created user "${config.adminUser}" with password ${h.generatedAdminPassword} (also in ${h.adminPasswordFile}, mode 0600: delete it once noted)`);
      }
      if (!config.ingestToken) console.error(`dashboard: ingestion token for gateways (DASHBOARD_TOKEN): ${h.ingestToken}`);
      onShutdownSignals(logger, () => h.close());
    });
}
