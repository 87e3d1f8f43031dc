import type { Redis } from 'ioredis';
import { z } from 'zod';

const SHAPE = 'must be an ioredis client, a redis:// or rediss:// URL, or false (single instance)';

/**
 * Why a `redis` URL cannot be used, or `null`: it must parse as a URL, use `redis:` or `rediss:`,
 * and name its database, if at all, by a whole number (`/0` … `/15`).
 *
 * @example redisUrlProblem('redis://127.0.0.1:6379/10x') // "database '10x' in the URL path is not a whole number"
 */
export function redisUrlProblem(value: string): string | null {
  if (!URL.canParse(value)) return "is not a URL (e.g. 'redis://127.0.0.1:6379/0')";
  const url = new URL(value);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `'${url.protocol}' is not redis: or rediss:`;
  }
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) {
    return `database '${decodeURIComponent(db)}' in the URL path is not a whole number`;
  }
  return null;
}

/** Whether `value` looks like an ioredis client (it can define the module's scripts). */
function isRedisClient(value: unknown): value is Redis {
  return typeof (value as Redis | null)?.defineCommand === 'function';
}

/**
 * The `redis` option of the pipeline: an ioredis client, a URL, or `false`. Every accepted shape
 * is decided here: a new one (e.g. cluster or sentinel settings) is added to this check.
 */
export const redisOption = z.custom<Redis | string | false>().superRefine((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'required — an ioredis client, a redis:// URL, or false for single-instance mode',
    });
  } else if (typeof value === 'string') {
    const problem = redisUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  } else if (value !== false && !isRedisClient(value)) {
    ctx.addIssue({ code: 'custom', message: SHAPE });
  }
});
