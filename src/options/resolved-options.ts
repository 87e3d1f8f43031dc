import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock.js';
import type { RedisSource } from '../common/redis-clients.js';
import type { CidrSet } from '../network/client-ip.js';
import type { RpcTokenExtractor } from '../surfaces/guarded-call.js';

/**
 * The options after validation, with every default filled in and every duration in ms. Each
 * feature injects its own slice of it (see `docs/options.md`).
 *
 * The fields below are the ones every layer shares. A feature above this folder adds its own
 * slice (`policy`, `audit`, `permissionChanges`, `live`, `users`) by augmenting this interface
 * from its own options file, so this folder never imports a feature (see
 * `docs/architecture.md`); `resolveOptions()` at the module level fills every slice.
 */
export interface ResolvedOptions {
  dataSource: DataSource;
  redis: RedisSource | false;
  redisKeyPrefix: string;
  session: {
    idleTimeoutMs: number;
    absoluteTimeoutMs: number;
    touchIntervalMs: number;
    /** The concurrent-session limit; `null`: none. */
    limit: SessionLimit | null;
  };
  cookie: { name: string; sameSite: 'Lax' | 'Strict' };
  csrf: { allowedOrigins: Set<string>; headerName: string; jsonOnly: boolean; key: Buffer };
  freshAuth: { maxAgeMs: number; levels: string[] };
  throttle: { enabled: boolean; maxAttempts: number; maxAttemptsPerIp: number; windowMs: number };
  trustProxy: CidrSet;
  allowBearer: boolean;
  surfaces: { rpcToken: RpcTokenExtractor | null };
  clock: Clock;
}

/**
 * The concurrent-session limit after validation: `maxSessions` for every user, `perRole` for
 * users with that role (the smallest limit that applies wins), and what a sign-in past it does.
 *
 * @example const limit: SessionLimit = { maxSessions: 5, perRole: { admin: 2 }, policy: 'end-oldest' };
 */
export interface SessionLimit {
  maxSessions: number | null;
  perRole: Readonly<Record<string, number>>;
  policy: 'end-oldest' | 'refuse-new';
}
