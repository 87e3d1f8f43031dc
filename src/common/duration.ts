import ms from 'ms';

/** A length of time: milliseconds, or text such as `'30m'`, `'12h'`, `'2s'`, `'7d'`. */
export type Duration = number | string;

/** Thrown when a duration cannot be understood; the message names where it came from. */
export class InvalidDurationError extends Error {
  constructor(path: string, value: unknown) {
    super(
      `${path}: invalid duration ${JSON.stringify(value)} ` +
        `(use milliseconds or text such as '30s', '5m', '12h', '7d')`,
    );
    this.name = 'InvalidDurationError';
  }
}

/**
 * Parses a positive duration into milliseconds.
 *
 * @param path where the value came from, used in the error message
 * @example parseDuration('5m', 'freshAuth.maxAge') // 300000
 */
export function parseDuration(value: Duration, path: string): number {
  const result =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim().length > 0 && value.length <= 32
        ? (ms(value.trim() as ms.StringValue) as number | undefined)
        : undefined;
  const rounded = typeof result === 'number' ? Math.round(result) : Number.NaN;
  if (!Number.isFinite(rounded) || rounded <= 0) {
    throw new InvalidDurationError(path, value);
  }
  return rounded;
}
