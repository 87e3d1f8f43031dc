import { z } from 'zod';
import { parseDuration, type Duration } from '../common/duration.js';

/** Every duration option's schema, so tests can enumerate them (a new one cannot be forgotten). */
export const durationOptions = z.registry<{ fallback: Duration | undefined }>();

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function describeMs(ms: number): string {
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`;
  if (ms >= DAY) return unit(Math.floor(ms / DAY), 'day');
  if (ms >= 60 * MINUTE) return unit(Math.floor(ms / (60 * MINUTE)), 'hour');
  if (ms >= MINUTE) return unit(Math.floor(ms / MINUTE), 'minute');
  return ms >= 1000 ? unit(Math.floor(ms / 1000), 'second') : `${ms} ms`;
}

/**
 * A duration option: milliseconds or text such as `'30s'`, `'5m'`, `'12h'`, resolved to a
 * positive number of milliseconds within `[min, max]`; `fallback` when left out (required when
 * `fallback` is `undefined`).
 *
 * @example session: z.strictObject({ idleTimeout: durationOption('30m') })
 */
export function durationOption(
  fallback: Duration | undefined,
  bounds: { min?: number; max?: number } = {},
) {
  const { min = 1, max = Number.MAX_SAFE_INTEGER } = bounds;
  const schema = z
    .union([z.number(), z.string()], "must be a duration such as '30s' or '5m', or milliseconds")
    .optional()
    .transform((value, ctx): number => {
      const input = value ?? fallback;
      if (input === undefined) {
        ctx.issues.push({ code: 'custom', input: value, message: "required (e.g. '90d')" });
        return z.NEVER;
      }
      let ms: number;
      try {
        ms = parseDuration(input, '');
      } catch {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message:
            `invalid duration ${JSON.stringify(input)} ` +
            `(use milliseconds or text such as '30s', '5m', '12h', '7d')`,
        });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        const bound = ms < min ? `at least ${describeMs(min)}` : `at most ${describeMs(max)}`;
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: `must be ${bound}, got ${ms} ms`,
        });
        return z.NEVER;
      }
      return ms;
    });
  schema.register(durationOptions, { fallback });
  return schema;
}

/**
 * A whole-number option within `[min, max]`, `fallback` when left out.
 *
 * @example batchSize: integerOption(500, 1, 100_000)
 */
export function integerOption(fallback: number, min: number, max: number) {
  const error = (issue: { input?: unknown }) =>
    `must be an integer from ${min} to ${max}, got ${JSON.stringify(issue.input) ?? 'nothing'}`;
  return z
    .number({ error })
    .int({ error })
    .min(min, { error })
    .max(max, { error })
    .default(fallback);
}

/** A boolean option, `fallback` when left out. */
export function booleanOption(fallback: boolean) {
  return z.boolean('must be true or false').default(fallback);
}

/** A Redis key prefix: up to 64 of `A-Z a-z 0-9 : _ . -`. */
export function keyPrefixOption(minLength = 1) {
  return z
    .string()
    .regex(
      new RegExp(`^[A-Za-z0-9:_.-]{${minLength},64}$`),
      `${minLength}-64 letters, digits and : _ . - only`,
    );
}

/** An option that must be a function (a callback or a hook). */
export function functionOption<F extends (...args: never[]) => unknown>(what = 'a function') {
  return z.custom<F>((value) => typeof value === 'function', `must be ${what}`);
}

/** An option that must be an object instance (a client, a resolver, a directory). */
export function instanceOption<T>(what: string) {
  return z.custom<T>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    `must be ${what}`,
  );
}
