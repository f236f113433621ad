import { InvalidArgumentError } from 'commander';
import { LOG_LEVELS } from '../core/logger.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

/** `value` as a number when it is digits only (no sign, fraction, exponent or spaces) and a safe integer; NaN otherwise. */
function wholeNumber(value: string): number {
  const n = Number(value);
  return /^\d+$/.test(value) && Number.isSafeInteger(n) ? n : NaN;
}

/** Commander argument parser for a TCP port (0 picks a free one). */
export function parsePort(value: string): number {
  const n = wholeNumber(value);
  if (!(n <= 65_535)) throw new InvalidArgumentError('must be a whole number from 0 to 65535');
  return n;
}

/** Commander argument parser factory for a whole number of at least `min`. */
export function parseWholeNumber(min = 0): (value: string) => number {
  const rule = `must be a whole number, ${min} or more`;
  return (value) => {
    const n = wholeNumber(value);
    if (!(n >= min)) throw new InvalidArgumentError(rule);
    return n;
  };
}

/** Commander argument parser for a pino log level. */
export function parseLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(', ')}`);
  return value as LogLevel;
}
