import { PassThrough } from 'node:stream';
import { createLogger } from '../core/logger.js';
import type { DemoAppOptions } from './app.js';
import { createDemoBackend, type DemoBackend } from './server.js';

export interface RunningBackend {
  backend: DemoBackend;
  base: string;
  /** JSON log lines written so far. */
  logLines(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts a demo backend on a free loopback port with a debug logger captured in memory. */
export async function startTestBackend(opts: Partial<DemoAppOptions> = {}): Promise<RunningBackend> {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (c: Buffer) => { text += c.toString('utf8'); });
  const logger = opts.logger ?? createLogger({ level: 'debug', destination: sink });
  const backend = createDemoBackend({ ...opts, logger });
  const port = await backend.listen(0, '127.0.0.1');
  return {
    backend,
    base: `http://127.0.0.1:${port}`,
    logLines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    close: () => backend.close(),
  };
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
