import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the JSON lines back. */
  destination?: NodeJS.WritableStream;
}

/** Structured JSON logger; components take a child of it (`logger.child({ component })`). */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const base = { level: opts.level ?? 'info', name: opts.name ?? 'ddos-shield' };
  return opts.destination ? pino(base, opts.destination as pino.DestinationStream) : pino(base);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
