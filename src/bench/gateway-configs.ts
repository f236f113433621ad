import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The gateway's configuration in the benchmarks: its upstream idle timeout below the backend
 * nginx's 65 s, as the configuration asks of an operator, so that its upstream keep-alive
 * connections stay open between runs as nginx's and HAProxy's do.
 */
export const BENCH_GATEWAY_YAML = 'backends:\n  upstream:\n    keepAliveTimeoutMs: 60000\n';

/** The benchmark configurations written into a new temporary directory: the full pipeline, and the same with detection off. */
export function writeBenchConfigs(): { dir: string; gateway: string; quiet: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-bench-'));
  const gateway = join(dir, 'gateway.yaml');
  const quiet = join(dir, 'detection-off.yaml');
  writeFileSync(gateway, BENCH_GATEWAY_YAML);
  writeFileSync(quiet, `${BENCH_GATEWAY_YAML}detection:\n  enabled: false\n`);
  return { dir, gateway, quiet };
}
