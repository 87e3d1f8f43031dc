/**
 * Machine-readable `error` codes of every 4xx body the module and the example app send, and of
 * the 503 `service_unavailable` sent while the database cannot be reached.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'too_many_attempts'
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
export type ReauthReason = 'stale_authentication' | 'permissions_changed' | 'insufficient_level';
