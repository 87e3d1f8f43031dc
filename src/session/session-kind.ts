/**
 * What a session is: `'standard'` — an ordinary sign-in; `'remembered'` — a remember-me sign-in
 * with its own, longer lifetime, which never counts as fresh authentication and whose token
 * rotates on use with replay detection (see `docs/remember-me.md`); `'impersonation'` — a support
 * session an admin holds as another user, for a limited time, with the admin named in it (see
 * `docs/impersonation.md`).
 *
 * @example const kind: SessionKind = session.kind;
 */
export type SessionKind = 'standard' | 'remembered' | 'impersonation';

/** Every {@link SessionKind}, e.g. to validate a stored or requested value. */
export const SESSION_KINDS: readonly SessionKind[] = ['standard', 'remembered', 'impersonation'];

/** `revokedReason` of a remembered session ended because a rotated token of it came back. */
export const TOKEN_REPLAYED_REASON = 'token_replayed';

/** `revokedReason` of a session a theft signal ended (`session.signals` set to `'end'`). */
export const SUSPICIOUS_CHANGE_REASON = 'suspicious_change';
