import type { ClientFingerprint } from './client-fingerprint.js';
import type { SessionKind } from './session-kind.js';

/** A live, validated session as the guards put it on the request. Safe to show: no token, no hash. */
export interface ActiveSession {
  /** Public handle of the session (uuid); never the token. */
  id: string;
  userId: string;
  tenantId: string | null;
  /** Role snapshot taken at sign-in or the last re-authentication. */
  roles: string[];
  /** The user's permission version the session was issued under. */
  authzVersion: number;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  /** Time of the last successful authentication (sign-in or re-authentication). */
  authenticatedAt: number;
  /** Strength of the last authentication, e.g. `'password'` or `'mfa'`. */
  authLevel: string;
  ip: string | null;
  userAgent: string | null;
  /** Application data carried over on rotation. */
  data: Record<string, unknown>;
  /** Set when the session must re-authenticate before anything else. */
  reauthRequiredAt: number | null;
  /** `'standard'`, `'remembered'` (remember-me) or `'impersonation'`. */
  kind: SessionKind;
  /** When the current token was issued (sign-in or rotation); `null` when not recorded. */
  tokenIssuedAt: number | null;
  /** The last re-authentication made in the session, not its sign-in; `null` before one. */
  reauthenticatedAt: number | null;
  /**
   * The client the session is bound to — user-agent family, network, country — which every
   * request is compared with (`docs/theft-signals.md`); `null` on sessions older than it.
   */
  fingerprint: ClientFingerprint | null;
  /** When a theft signal asked for step-up re-authentication; `null` when none is pending. */
  suspiciousChangeAt: number | null;
  /**
   * Who holds this session as the user, in an impersonation session (`kind: 'impersonation'`):
   * the actor chain is `impersonatedBy.userId` → `userId`. `null` (or absent, on sessions cached
   * before it was recorded) otherwise.
   */
  impersonatedBy?: Impersonator | null;
}

/**
 * The admin behind an impersonation session: their user id, the session they started it from,
 * and the reason they gave.
 *
 * @example if (session.impersonatedBy) log(`${session.impersonatedBy.userId} as ${session.userId}`);
 */
export interface Impersonator {
  userId: string;
  sessionId: string | null;
  reason: string;
}

/**
 * Who a session belongs to, as the app's user directory reports it. A numeric id (a TypeORM
 * `@PrimaryGeneratedColumn()`) is stored as its decimal string: `ActiveSession.userId`,
 * `SessionUserDirectory.findById`, revocation filters and `'${user.id}'` in policy conditions
 * see `'42'` for the user `42`.
 *
 * @example const principal: SessionPrincipal = { id: user.id, roles: user.roles };
 */
export interface SessionPrincipal {
  id: string | number;
  roles: string[];
  tenantId?: string | null;
  /** A disabled user cannot sign in or re-authenticate. */
  disabled?: boolean;
}
