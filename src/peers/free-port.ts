import { createServer, connect, type AddressInfo } from 'node:net';

/** Binds port 0 on `host`, reads the port the kernel chose, and releases it. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true when a TCP connection to host:port succeeds. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export interface WaitForPortOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting early (returns false) when this says the process is gone. */
  stillRunning?: () => boolean;
}

/** Polls until host:port accepts connections; false on timeout or when the process died. */
export async function waitForPort(host: string, port: number, opts: WaitForPortOptions): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  while (Date.now() < deadline) {
    if (opts.stillRunning && !opts.stillRunning()) return false;
    if (await canConnect(host, port)) return true;
    await new Promise((r) => setTimeout(r, interval));
  }
  return false;
}
