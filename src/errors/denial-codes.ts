/**
 * Machine-readable `error` codes of every 4xx body the module and the example app send, and of
 * the 503 `service_unavailable` sent while the database cannot be reached.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'too_many_attempts'
  | 'too_many_sessions'
  | 'session_required'
  | 'session_expired'
  | 'session_revoked'
  | 'reauth_required'
  | 'forbidden'
  | 'csrf_rejected'
  | 'not_found'
  | 'service_unavailable'
  | 'idempotency_key_reused';

/** Why a `reauth_required` denial was issued. */
export type ReauthReason =
  | 'stale_authentication'
  | 'permissions_changed'
  | 'insufficient_level'
  /** A theft signal (another country, network or browser than the session's) asked for step-up. */
  | 'suspicious_change';

/**
 * Why a `session_revoked` denial was issued, when the user should be told: `session_limit` — the
 * session was the oldest of the user's and ended when they signed in elsewhere past the
 * concurrent-session limit; `token_replayed` — a remembered session ended because one of its
 * rotated tokens was presented again after the grace window (a copied token);
 * `suspicious_change` — a theft signal whose policy is `end` saw another client than the
 * session's. Other endings (logout, revocation by an admin) carry no reason.
 */
export type RevokedReason = 'session_limit' | 'token_replayed' | 'suspicious_change';
