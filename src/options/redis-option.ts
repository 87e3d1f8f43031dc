import { z } from 'zod';
import { isRedisClient, type RedisSource } from '../common/redis-clients.js';
import { describeIssues } from './option-issues.js';

const SHAPE =
  "must be an ioredis client (Redis or Cluster), a redis:// or rediss:// URL, { cluster: [{ host, port }, …] }, { sentinels: [{ host, port }, …], name: 'mymaster' }, or false (single instance)";

const node = z.strictObject({
  host: z.string().min(1, 'a host name or address'),
  port: z.number().int().min(1).max(65535),
});
const ioredisOptions = z.record(z.string(), z.unknown());
const clusterShape = z.strictObject({
  cluster: z.array(node).min(1, 'at least one node of the cluster'),
  options: ioredisOptions.optional(),
});
const sentinelShape = z.strictObject({
  sentinels: z.array(node).min(1, 'at least one sentinel'),
  name: z.string().min(1, "the master name the sentinels watch (e.g. 'mymaster')"),
  options: ioredisOptions.optional(),
});

/**
 * Why a `redis` URL cannot be used, or `null`: it must parse as a URL, use `redis:` or `rediss:`,
 * and name its database, if at all, by a whole number (`/0` … `/15`). A path starting with `/`
 * is a Unix socket and is taken as it is.
 *
 * @example redisUrlProblem('redis://127.0.0.1:6379/10x') // "database '10x' in the URL path is not a whole number"
 */
export function redisUrlProblem(value: string): string | null {
  if (value.startsWith('/')) return null;
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

/**
 * The `redis` option of the pipeline: an ioredis client (`Redis` or `Cluster`), a URL, a Cluster
 * or Sentinel config, or `false`. Every accepted shape is decided here, and only here.
 */
export const redisOption = z.custom<RedisSource | false>().superRefine((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'required — an ioredis client, a redis:// URL, or false for single-instance mode',
    });
  } else if (typeof value === 'string') {
    const problem = redisUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  } else if (value === false || isRedisClient(value)) {
    return;
  } else if (
    typeof value === 'object' &&
    value !== null &&
    ('cluster' in value || 'sentinels' in value)
  ) {
    const shape = 'cluster' in value ? clusterShape : sentinelShape;
    const parsed = shape.safeParse(value);
    // Passed on as they are, so an unknown key still reads "unknown option — did you mean".
    for (const issue of parsed.error?.issues ?? []) ctx.addIssue(issue as never);
  } else {
    ctx.addIssue({ code: 'custom', message: SHAPE });
  }
});

/**
 * Problems with a `redis` value, each starting with `redis` (none when it is usable); the check
 * the options pipeline runs, for callers that take the same shapes (e.g. notifications).
 *
 * @example checkRedisOption({ cluster: [] }) // ['redis.cluster: at least one node of the cluster']
 */
export function checkRedisOption(value: unknown): string[] {
  const parsed = redisOption.safeParse(value);
  return parsed.success ? [] : describeIssues(parsed.error, redisOption, ['redis']);
}
