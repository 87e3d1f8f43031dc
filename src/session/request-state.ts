import type { ActiveSession } from './session.types.js';

/** A cookie the response must carry: a newly issued token, or the instruction to clear it. */
export type PendingCookie = { kind: 'set'; token: string; expiresAt: number } | { kind: 'clear' };

/**
 * What the module knows about the current request; one object per request. The session guard
 * fills the session fields; other features declare their own typed slots by augmenting this
 * interface in their folder (the policy guard's `ability`, say), so the core names none of them.
 */
export interface SessionRequestState {
  session?: ActiveSession;
  /** SHA-256 of the presented token (hex); never the token itself. */
  tokenHash?: string;
  /** How the token arrived. */
  via?: 'cookie' | 'bearer';
  /** The client's address after trusted-proxy resolution. */
  clientIp: string;
  pendingCookie?: PendingCookie;
}

const STATE = Symbol.for('nestjs-session-security.request-state');

/** Returns (creating on first use) the module's state object of a request. */
export function requestState(request: object): SessionRequestState {
  const holder = request as { [STATE]?: SessionRequestState };
  holder[STATE] ??= { clientIp: '' };
  return holder[STATE];
}

/**
 * Forgets everything the module knew about a request, every feature's slots included: an RPC
 * carrier shared by several messages is judged afresh for each.
 */
export function resetRequestState(request: object): SessionRequestState {
  const holder = request as { [STATE]?: SessionRequestState };
  holder[STATE] = { clientIp: '' };
  return holder[STATE];
}
