import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from '../common/redis-clients.js';
import type { ActiveSession } from './session.types.js';
import { CacheLookup, SessionCache, epochFields, toEpochs } from './session-cache.interface.js';

const LOOKUP = `
local dead = redis.call('EXISTS', KEYS[2])
if dead == 1 then return {'x'} end
local raw = redis.call('GET', KEYS[1])
if not raw then return {'m'} end
local entry = cjson.decode(raw)
local values = redis.call('HMGET', KEYS[3], '__init', unpack(entry.f))
local out = {'h', raw}
for i = 1, #values do out[i + 2] = values[i] or '' end
return out`;

const FILL = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], ARGV[3]) and 1 or 0`;

const RAISE = `
for i = 1, #ARGV - 1, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`;

// KEYS: dead and live key of each token, in pairs; ARGV[1]: the tombstone's TTL in ms.
const END = `
for i = 1, #KEYS, 2 do
  redis.call('SET', KEYS[i], '1', 'PX', ARGV[1])
  redis.call('DEL', KEYS[i + 1])
end
return 1`;

/** Tokens ended per script call: one short script instead of two queued commands per token. */
const END_CHUNK = 1_000;
/** How long an invalidation waits for its replicas before it counts as not written (ms). */
const REPLICA_WAIT_MS = 250;

type ScriptedRedis = RedisClient & {
  ssEnd(keyCount: number, ...keysThenTtl: Array<string | number>): Promise<number>;
  ssLookup(live: string, dead: string, epochs: string): Promise<string[]>;
  ssFill(live: string, dead: string, value: string, ttl: number, mode: string): Promise<number>;
  ssRaise(epochs: string, ...args: Array<string | number>): Promise<number>;
};

/**
 * {@link SessionCache} on Redis: one script call per request returns the session snapshot and
 * every epoch that covers it. Keys share one hash tag so the scripts also run on Redis Cluster.
 * With `replicas` > 0 (Sentinel, Cluster), an invalidation (tombstone, epochs) counts as written only
 * once that many replicas confirmed it (`WAIT`); otherwise it throws, and the session store
 * keeps it in the database outbox, so an asynchronous failover cannot lose it.
 */
export class RedisSessionCache implements SessionCache {
  readonly shared = true;
  private readonly redis: ScriptedRedis;
  private readonly epochsKey: string;
  private slot: number | undefined;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    private readonly replicas = 0,
  ) {
    this.redis = redis as ScriptedRedis;
    this.epochsKey = `${prefix}{ss}:epochs`;
    if (!this.redis.ssLookup) {
      redis.defineCommand('ssLookup', { numberOfKeys: 3, lua: LOOKUP });
      redis.defineCommand('ssFill', { numberOfKeys: 2, lua: FILL });
      redis.defineCommand('ssRaise', { numberOfKeys: 1, lua: RAISE });
      redis.defineCommand('ssEnd', { lua: END });
    }
  }

  async lookup(tokenHash: string): Promise<CacheLookup> {
    const reply = await this.redis.ssLookup(
      this.live(tokenHash),
      this.dead(tokenHash),
      this.epochsKey,
    );
    if (reply[0] === 'x') return { kind: 'tombstone' };
    if (reply[0] === 'm') return { kind: 'miss' };
    const entry = JSON.parse(reply[1]) as { s: ActiveSession; f: string[] };
    if (reply[2] === '') return { kind: 'hit', session: entry.s, epochs: null };
    const values = reply.slice(3).map((value) => (value === '' ? null : Number(value)));
    const authz = values.pop() ?? null;
    return { kind: 'hit', session: entry.s, epochs: toEpochs(values, authz) };
  }

  async fill(tokenHash: string, session: ActiveSession, ttlMs: number): Promise<void> {
    await this.redis.ssFill(
      this.live(tokenHash),
      this.dead(tokenHash),
      this.encode(session),
      ttlMs,
      'NX',
    );
  }

  async update(tokenHash: string, session: ActiveSession, ttlMs: number): Promise<void> {
    await this.redis.ssFill(
      this.live(tokenHash),
      this.dead(tokenHash),
      this.encode(session),
      ttlMs,
      'XX',
    );
  }

  async tombstone(tokenHashes: string[], ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const calls: Array<Promise<number>> = [];
    for (let start = 0; start < tokenHashes.length; start += END_CHUNK) {
      const keys: string[] = [];
      for (const hash of tokenHashes.slice(start, start + END_CHUNK)) {
        keys.push(this.dead(hash), this.live(hash));
      }
      calls.push(this.redis.ssEnd(keys.length, ...keys, ttl));
    }
    await Promise.all(calls);
    await this.replicated();
  }

  async raiseEpochs(entries: Record<string, number>, markInitialised = false): Promise<void> {
    const args: Array<string | number> = [];
    for (const [field, value] of Object.entries(entries)) args.push(field, value);
    if (markInitialised) args.push('__init', 1);
    if (args.length === 0) return;
    await this.redis.ssRaise(this.epochsKey, ...args);
    await this.replicated();
  }

  async epochsInitialised(): Promise<boolean> {
    return (await this.redis.hexists(this.epochsKey, '__init')) === 1;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  private async replicated(): Promise<void> {
    if (this.replicas === 0) return;
    const confirmed = await (await this.writer()).wait(this.replicas, REPLICA_WAIT_MS);
    if (confirmed < this.replicas) {
      throw new Error(`${confirmed} of ${this.replicas} replica(s) confirmed the invalidation`);
    }
  }

  /**
   * The connection the cache's writes went out on: `WAIT` counts the replicas that have this
   * connection's writes, so on a Cluster it goes to the master of the `{ss}` slot.
   */
  private async writer(): Promise<Redis> {
    if (!isCluster(this.redis)) return this.redis;
    this.slot ??= Number(await this.redis.cluster('KEYSLOT', this.epochsKey));
    const master = this.redis.slots[this.slot]?.[0];
    const node = this.redis
      .nodes('master')
      .find(({ options }) => `${options.host}:${options.port}` === master);
    if (!node) throw new Error(`no connection to the master of cache slot ${this.slot}`);
    return node;
  }

  private encode(session: ActiveSession): string {
    const fields = epochFields(session);
    return JSON.stringify({ s: session, f: [...fields.revocation, fields.authz] });
  }

  private live(tokenHash: string): string {
    return `${this.prefix}{ss}:s:${tokenHash}`;
  }

  private dead(tokenHash: string): string {
    return `${this.prefix}{ss}:x:${tokenHash}`;
  }
}
