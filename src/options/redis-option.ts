import { z } from 'zod';
import { isRedisClient } from '../common/redis-clients.js';
import { describeIssues } from './options.schema.js';

const node = z
  .object({
    host: z.string().min(1, 'a host name or address'),
    port: z.number().int().min(1).max(65535),
  })
  .strict();
const ioredisOptions = z.record(z.string(), z.unknown());

const cluster = z
  .object({
    cluster: z.array(node).min(1, 'at least one node of the cluster'),
    options: ioredisOptions.optional(),
  })
  .strict();
const sentinel = z
  .object({
    sentinels: z.array(node).min(1, 'at least one sentinel'),
    name: z.string().min(1, "the master name the sentinels watch (e.g. 'mymaster')"),
    options: ioredisOptions.optional(),
  })
  .strict();

const HELP =
  'an ioredis client (Redis or Cluster), a redis:// URL, { cluster: [{ host, port }, …] }, ' +
  "{ sentinels: [{ host, port }, …], name: 'mymaster' }, or false for single-instance mode";

/**
 * Problems with the `redis` option, each starting with `redis` (none when it is usable).
 *
 * @example checkRedisOption({ cluster: [] }) // ['redis.cluster: at least one node of the cluster']
 */
export function checkRedisOption(value: unknown): string[] {
  if (value === false || isRedisClient(value)) return [];
  if (typeof value === 'string') {
    if (/^(rediss?:\/\/|\/)/.test(value)) return [];
    return [`redis: '${value}' is neither a redis:// URL nor a socket path — ${HELP}`];
  }
  if (value === null || typeof value !== 'object') return [`redis: required — ${HELP}`];
  const schema = 'cluster' in value ? cluster : 'sentinels' in value ? sentinel : null;
  if (!schema) return [`redis: unknown shape — ${HELP}`];
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  return describeIssues(parsed.error).map((line) =>
    line.startsWith('(options)') ? `redis${line.slice('(options)'.length)}` : `redis.${line}`,
  );
}
