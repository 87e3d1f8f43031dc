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
    /** Remembered (remember-me) sessions: their lifetime and token rotation. */
    rememberMe: RememberMeSettings;
    /** Theft signals: what a change of each part of the client fingerprint does. */
    signals: SignalPolicy;
    /** Impersonation sessions: the longest lifetime an admin may ask for. */
    impersonation: { maxDurationMs: number };
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
 * Remembered sessions after validation, in ms: the idle and absolute lifetime, how old a token
 * gets before a request rotates it (`0`: every request), and how long a rotated token still
 * reaches its session (parallel tabs) before it counts as a replay.
 *
 * @example const settings: RememberMeSettings = { idleTimeoutMs: 6048e5, absoluteTimeoutMs: 2592e6, rotateAfterMs: 6e4, replayGraceMs: 1e4 };
 */
export interface RememberMeSettings {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  rotateAfterMs: number;
  replayGraceMs: number;
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

/**
 * What a changed theft signal does: `'ignore'` nothing; `'record'` audit it and bind the session
 * to the new value; `'step-up'` audit it and require re-authentication (401 `reauth_required`,
 * reason `suspicious_change`) until the user proves who they are again; `'end'` audit it and end
 * the session (401 `session_revoked`, reason `suspicious_change`). See `docs/theft-signals.md`.
 *
 * @example const action: SignalAction = 'step-up';
 */
export type SignalAction = 'ignore' | 'record' | 'step-up' | 'end';

/**
 * The action per theft signal (`session.signals`): the user-agent family, the IP network (IPv4
 * /24, IPv6 /48) and the country from the `GeoResolver`.
 *
 * @example const policy: SignalPolicy = { userAgent: 'record', network: 'record', country: 'step-up' };
 */
export interface SignalPolicy {
  userAgent: SignalAction;
  network: SignalAction;
  country: SignalAction;
}
