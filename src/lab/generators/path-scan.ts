import { resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { runClientLoop } from './loop.js';

export interface PathScanOptions extends GeneratorOptions {
  /** Scanning addresses (default 1); `rate` is the total. */
  sources?: number;
}

const WORDS = ['admin', 'wp-login.php', '.env', '.git/config', 'phpmyadmin', 'backup.zip', 'config.php', 'server-status',
  'cgi-bin/test.cgi', 'wp-admin/setup-config.php', 'api/v1/users', 'actuator/health', 'console', 'debug', 'old', 'test',
  '.DS_Store', 'xmlrpc.php', 'administrator', 'login.aspx', 'shell.php', 'db.sql', 'vendor/phpunit', 'etc/passwd'];

/** Dictionary scan for well-known paths, nearly all answered 404. */
export function runPathScan(opts: PathScanOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'path-scan', 25);
  const sources = opts.sources ?? 1;
  return runClientLoop(opts, ctx, {
    generator: 'path-scan',
    clients: sources,
    perClientRate: opts.rate / sources,
    request: (_n, seq) => {
      const w = WORDS[seq % WORDS.length] ?? 'admin';
      const round = Math.floor(seq / WORDS.length);
      return { path: round === 0 ? `/${w}` : `/${['old', 'bak', 'v2', 'tmp', 'dev'][round % 5]}/${w}`, headers: { 'user-agent': 'Mozilla/5.0 (compatible; Nimbostratus-Bot/v1.3.2)' } };
    },
    maxInFlight: 4,
    connections: 4,
  });
}
