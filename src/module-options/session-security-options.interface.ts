import type { DataSource } from 'typeorm';
import type { RedisSource } from '../common/redis-clients.js';
import type { Clock } from '../common/clock.js';
import type { Duration } from '../common/duration.js';
import type { AuditOptions } from '../audit/audit-config.js';
import type { PolicyOptions } from '../policy/policy-config.js';
import type { SessionUserDirectory } from '../session/session-user-directory.interface.js';
import type { PermissionChangeOptions } from '../permission-changes/permission-change.options.js';
import type { RpcTokenExtractor } from '../surfaces/guarded-call.js';
import type { LiveConnectionOptions } from '../live/live-options.js';
import type { SignalAction } from '../options/resolved-options.js';

export type { AuditOptions, PolicyOptions };

/**
 * Options of `SessionSecurityModule.forRoot()` / `forRootAsync()`. Everything but `dataSource`
 * and `secret` has a secure default; loosening a default is always an explicit option.
 */
export interface SessionSecurityModuleOptions {
  /** The app's initialised TypeORM DataSource; it must include {@link sessionSecurityEntities}. */
  dataSource: DataSource;
  /**
   * Server secret of at least 32 characters. Sub-keys for CSRF tokens and the audit chain are
   * derived from it, so every instance of the app must share it.
   */
  secret: string;
  /**
   * Redis shared by every instance: a `redis://` URL, `{ cluster: [{ host, port }, …] }` for
   * Redis Cluster, `{ sentinels: [{ host, port }, …], name }` for Sentinel, or an ioredis
   * `Redis` / `Cluster` client (see docs/redis-topologies.md). `false` selects the
   * single-instance in-memory store, which is logged loudly and unfit for more than one instance.
   */
  redis: RedisSource | false;
  /** Prefix of every Redis key the module writes (default `'ss:'`). */
  redisKeyPrefix?: string;
  session?: SessionOptions;
  cookie?: CookieOptions;
  csrf?: CsrfOptions;
  freshAuth?: FreshAuthOptions;
  throttle?: ThrottleOptions;
  /** CIDRs of reverse proxies whose `X-Forwarded-For` is believed (default: none). */
  trustProxy?: string[];
  /** Accept `Authorization: Bearer <token>` as well as the cookie (default `false`). */
  allowBearer?: boolean;
  /** Looks users up when a session re-authenticates or its permissions change. */
  users?: SessionUserDirectory;
  policy?: PolicyOptions;
  audit?: AuditOptions;
  /** Permission-change jobs and the opt-in TypeORM watcher (see `docs/permission-changes.md`). */
  permissionChanges?: PermissionChangeOptions;
  /** Surfaces beyond HTTP: how RPC messages carry a session (see `docs/surfaces.md`). */
  surfaces?: SurfaceOptions;
  /** Open WebSocket and SSE connections: how often they are re-checked (see `docs/surfaces-websockets.md`). */
  live?: LiveConnectionOptions;
  /** Replace the wall clock, e.g. in tests. */
  clock?: Clock;
}

/**
 * How calls off HTTP carry a session. HTTP, GraphQL and WebSocket handshakes use the cookie;
 * RPC messages only what `rpc.token` reads from them.
 *
 * @example surfaces: { rpc: { token: (data) => (data as { sessionToken?: string })?.sessionToken } }
 */
export interface SurfaceOptions {
  rpc?: {
    /**
     * Reads the session token of a microservice message (`data`, transport context). Without it
     * every RPC handler that is not `@Public()` is denied: a message carries no cookie.
     *
     * @example token: (data) => (data as { sessionToken?: string })?.sessionToken
     */
    token?: RpcTokenExtractor;
  };
}

export interface SessionOptions {
  /** Idle timeout: a session unused this long ends (default `'30m'`). */
  idleTimeout?: Duration;
  /** Absolute timeout: a session ends this long after sign-in whatever its use (default `'12h'`). */
  absoluteTimeout?: Duration;
  /** The sliding idle expiry is written at most this often per session (default `'60s'`). */
  touchInterval?: Duration;
  /** How many live sessions a user may have at once (default: no limit); see `docs/session-limits.md`. */
  limit?: SessionLimitOptions;
  /** Remembered (remember-me) sessions; see `docs/remember-me.md`. */
  rememberMe?: RememberMeOptions;
  /**
   * Theft signals: what a request from another client than the session was issued to does, per
   * signal (default: record user-agent and network changes, step up on a new country); see
   * `docs/theft-signals.md`.
   */
  signals?: SignalOptions;
  /** Impersonation sessions of support staff; see `docs/impersonation.md`. */
  impersonation?: ImpersonationOptions;
}

/**
 * Theft signals, per part of the client fingerprint: `'ignore'`, `'record'` (audit and re-bind),
 * `'step-up'` (401 `reauth_required`, reason `suspicious_change`, until a re-authentication) or
 * `'end'` (401 `session_revoked`, reason `suspicious_change`).
 *
 * @example
 * session: { signals: { userAgent: 'step-up', network: 'record', country: 'end' } }
 */
export interface SignalOptions {
  /** The user-agent family (browser and OS, versions dropped) changed (default `'record'`). */
  userAgent?: SignalAction;
  /** The IP network (IPv4 /24, IPv6 /48) changed (default `'record'`). */
  network?: SignalAction;
  /** The country from the `GeoResolver` changed (default `'step-up'`). */
  country?: SignalAction;
}

/**
 * Impersonation: an admin acting as a user for a limited time, named in every audit record.
 *
 * @example session: { impersonation: { maxDuration: '30m' } }
 */
export interface ImpersonationOptions {
  /** The longest `duration` an admin may ask for (default `'1h'`, at most `'24h'`). */
  maxDuration?: Duration;
}

/**
 * Remembered sessions: those a sign-in asks for with `rememberMe: true`. They live longer than a
 * standard session, never count as fresh authentication, and their token rotates on use; a rotated
 * token presented after the grace window is a replay that ends the session and notifies the user.
 *
 * @example
 * session: { rememberMe: { absoluteTimeout: '14d', rotateAfter: '5m', replayGrace: '5s' } }
 */
export interface RememberMeOptions {
  /** A remembered session unused this long ends (default `'7d'`, at most 400 days). */
  idleTimeout?: Duration;
  /** A remembered session ends this long after sign-in whatever its use (default `'30d'`, at most 400 days). */
  absoluteTimeout?: Duration;
  /** The first request after the token is this old rotates it (default `'1m'`; `1` (ms) rotates on nearly every request). */
  rotateAfter?: Duration;
  /**
   * How long a rotated token still reaches its session, for requests already under way in
   * parallel tabs (default `'10s'`, at most `'1m'`); presented later, it is a replay.
   */
  replayGrace?: Duration;
}

/**
 * The concurrent-session limit. Enforced in the database under a per-user lock, so concurrent
 * sign-ins on any number of instances never leave more than the limit alive.
 *
 * @example
 * session: { limit: { maxSessions: 5, perRole: { admin: 2 }, policy: 'end-oldest' } }
 */
export interface SessionLimitOptions {
  /** Live sessions per user, 1-10000. */
  maxSessions?: number;
  /** Live sessions per user with the role; a user gets the smallest limit that applies. */
  perRole?: Record<string, number>;
  /**
   * A sign-in past the limit: `'end-oldest'` (default) ends the user's oldest sessions, which
   * answer 401 `session_revoked` with `reason: 'session_limit'`; `'refuse-new'` refuses it with
   * 409 `too_many_sessions`.
   */
  policy?: 'end-oldest' | 'refuse-new';
}

export interface CookieOptions {
  /** Name after the `__Host-` prefix (default `'t'`, so the cookie is `__Host-t`). */
  name?: string;
  /** `'lax'` (default) or `'strict'`. */
  sameSite?: 'lax' | 'strict';
}

export interface CsrfOptions {
  /** Origins, besides the request's own host, whose unsafe requests are accepted. */
  allowedOrigins?: string[];
  /** Request header that carries the token (default `'x-csrf-token'`). */
  headerName?: string;
  /** Reject unsafe requests whose body is not `application/json` with 415 (default `true`). */
  jsonOnly?: boolean;
}

export interface FreshAuthOptions {
  /** Default `maxAge` of `@RequireFreshAuth()` (default `'5m'`). */
  maxAge?: Duration;
  /** Auth levels from weakest to strongest (default `['password', 'mfa']`). */
  levels?: string[];
}

export interface ThrottleOptions {
  /**
   * Count failed sign-ins and re-authentications and answer 429 past the limits (default
   * `true`). `false` loosens a secure default: only for apps that throttle sign-ins elsewhere.
   */
  enabled?: boolean;
  /** Failed attempts per username + IP within `window` before 429 (default 5). */
  maxAttempts?: number;
  /** Failed attempts per client IP, whatever the username, within `window` before 429 (default 100, or `maxAttempts` if higher). */
  maxAttemptsPerIp?: number;
  /** Window of the attempt counter (default `'15m'`). */
  window?: Duration;
}
