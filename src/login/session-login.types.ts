import type { ActiveSession, SessionPrincipal } from '../session/session.types.js';

/**
 * A sign-in to check: the name the user typed (attempts are counted per username + client IP and
 * per client IP) and the app's credential check.
 *
 * @example
 * const attempt: LoginAttempt = { username, verify: () => users.verify(username, password) };
 */
export interface LoginAttempt<P extends SessionPrincipal = SessionPrincipal> {
  username: string;
  /** Checks the credentials: the user, or `null` for an unknown user or a wrong password. */
  verify: () => Promise<P | null>;
  /** Strength of this authentication (default: the first of `freshAuth.levels`, `'password'`). */
  authLevel?: string;
  /** Application data stored with the session and carried over on rotation. */
  data?: Record<string, unknown>;
  /**
   * Start a remembered session ("remember me on this device"): the longer lifetime of
   * `session.rememberMe`, never fresh authentication, a token that rotates on use with replay
   * detection (default `false`).
   */
  rememberMe?: boolean;
}

/**
 * A re-authentication to check: the signed-in user's username (the same name sign-in counts
 * under, so failures here and there add up) and the app's password check.
 *
 * @example
 * const attempt: ReauthAttempt = { username: user.username, verify: () => users.check(user, pw) };
 */
export interface ReauthAttempt {
  username: string;
  /** `true` when the credentials are right. */
  verify: () => Promise<boolean>;
  /** Strength of this authentication (default: the first of `freshAuth.levels`). */
  level?: string;
}

/**
 * What a successful sign-in or re-authentication gives the client: the session's public view
 * and the CSRF token to send as `X-CSRF-Token` on unsafe requests. The token itself travels only
 * in the cookie.
 *
 * @example return { userId: signedIn.session.userId, csrfToken: signedIn.csrfToken };
 */
export interface SignedIn {
  session: ActiveSession;
  csrfToken: string;
  /** When the session ends at the latest if unused (the earlier of idle and absolute expiry). */
  expiresAt: string;
}
