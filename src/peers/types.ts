/** A peer server (nginx, HAProxy, the gateway) running as a child process on a loopback port. */
export interface PeerProcess {
  name: string;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  /** The main process and every descendant (nginx master + workers), read from /proc. */
  pids(): number[];
  /** Stops the process tree and removes its temporary directory; safe to call twice. */
  stop(): Promise<void>;
  /** Files holding the process's stdout and stderr while it runs (removed with its directory by stop). */
  logs?: { stdout: string; stderr: string };
}

/** Where a peer sends requests: `http://host:port` URLs of the upstream servers. */
export type UpstreamUrls = readonly string[];

/** How a peer's process is launched: under a wrapper command (valgrind, taskset, ...) and how long its start may take. */
export interface LaunchOptions {
  /** Command and arguments put before the server's own command line, e.g. ['valgrind', '--tool=callgrind']. */
  wrap?: readonly string[];
  startTimeoutMs?: number;
}
