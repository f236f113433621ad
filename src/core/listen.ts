import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens and resolves with the bound port (use port 0 for a free one). In a cluster worker the
 * port is shared with the other workers unless `exclusive`.
 */
export function listen(server: Server, port: number, host: string, opts: { exclusive?: boolean } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, exclusive: opts.exclusive === true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes a server, ending idle keep-alive sockets; resolves when every socket is gone. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
