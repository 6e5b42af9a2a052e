/**
 * Parsers for option values, given to commander so that a bad value is a usage error (exit 2) that
 * names the option, reported before any work starts.
 */
import { InvalidArgumentError } from 'commander';

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}

/** The first of `count` consecutive ports: all of them must be valid port numbers. */
export function basePort(count: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n + count - 1 > 65535) {
      throw new InvalidArgumentError(`expected a port number from 1 to ${65536 - count}, got "${value}"`);
    }
    return n;
  };
}
