import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * A Redis Cluster given by some of its nodes (ioredis discovers the rest); `options` are
 * ioredis cluster options (`redisOptions` apply to every node connection).
 *
 * @example
 * const redis: RedisClusterConfig = { cluster: [{ host: '10.0.0.1', port: 7000 }] };
 */
export interface RedisClusterConfig {
  cluster: Array<{ host: string; port: number }>;
  options?: ClusterOptions;
}

/**
 * Redis behind Sentinel: the sentinels to ask and the name of the master they watch;
 * `options` are ioredis options for the master connection (`password`, `sentinelPassword`, `tls`…).
 *
 * @example
 * const redis: RedisSentinelConfig = { sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'mymaster' };
 */
export interface RedisSentinelConfig {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  options?: RedisOptions;
}

/** A connection the module can send commands on: one Redis (plain or Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** How the module reaches Redis when it opens its own connections. */
export type RedisConnectionConfig = string | RedisClusterConfig | RedisSentinelConfig;

/** The `redis` module option: a URL, a Cluster or Sentinel config, or an ioredis client. */
export type RedisSource = RedisConnectionConfig | RedisClient;

/** Whether `value` is an ioredis client (a `Redis` or a `Cluster`), not a config. */
export function isRedisClient(value: unknown): value is RedisClient {
  return typeof (value as Redis | null)?.defineCommand === 'function';
}

/** Whether `client` is an ioredis `Cluster` (checked by its flag, so another ioredis copy works). */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/**
 * Whether `source` has replicas that can be promoted while writes are still in flight: a
 * Sentinel or Cluster config, an ioredis `Cluster`, or a client made with `sentinels`.
 */
export function hasFailover(source: RedisSource | false): boolean {
  if (!source || typeof source === 'string') return false;
  if (!isRedisClient(source)) return true;
  return isCluster(source) || (source.options.sentinels?.length ?? 0) > 0;
}

/**
 * A new connection to the Redis of `source` with `settings` on top: a URL or a Sentinel config
 * gives a `Redis`, a Cluster config a `Cluster`, a client its duplicate. Settings that ioredis
 * keeps per cluster (offline queue, lazy connect, ready check, auto-pipelining, retry strategy)
 * go on the cluster, the others on each of its node connections.
 *
 * @example
 * const bull = newRedisClient({ cluster: nodes }, { maxRetriesPerRequest: null, enableReadyCheck: false });
 */
export function newRedisClient(source: RedisSource, settings: RedisOptions = {}): RedisClient {
  if (typeof source === 'string') return new Redis(source, settings);
  if (isRedisClient(source)) return duplicateRedis(source, settings);
  if ('cluster' in source) {
    return new Cluster(source.cluster as ClusterNode[], clusterOptions(source.options, settings));
  }
  return new Redis({
    // A failover is noticed from the sentinels' +switch-master, not only when the old master drops us.
    failoverDetector: true,
    ...source.options,
    sentinels: source.sentinels,
    name: source.name,
    ...settings,
  });
}

/** A new connection like `client` (same nodes, same options) with `settings` on top. */
export function duplicateRedis(client: RedisClient, settings: RedisOptions = {}): RedisClient {
  if (isCluster(client)) return client.duplicate([], clusterOptions(client.options, settings));
  return client.duplicate(settings);
}

const CLUSTER_LEVEL = ['enableOfflineQueue', 'lazyConnect', 'enableAutoPipelining'] as const;

function clusterOptions(base: ClusterOptions = {}, settings: RedisOptions): ClusterOptions {
  const node: Record<string, unknown> = { ...settings };
  const cluster: Record<string, unknown> = {};
  for (const key of CLUSTER_LEVEL) {
    if (key in node) cluster[key] = node[key];
    delete node[key];
  }
  // Bull reads the ready check from the node options, ioredis from the cluster's: set both.
  if ('enableReadyCheck' in settings) cluster.enableReadyCheck = settings.enableReadyCheck;
  if ('retryStrategy' in settings) cluster.clusterRetryStrategy = settings.retryStrategy;
  delete node.retryStrategy;
  return { ...base, ...cluster, redisOptions: { ...base.redisOptions, ...node } };
}
