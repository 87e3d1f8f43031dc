import type { ActiveSession } from './session.types.js';

/** A cookie the response must carry: a newly issued token, or the instruction to clear it. */
export type PendingCookie = { kind: 'set'; token: string; expiresAt: number } | { kind: 'clear' };

/** What the module knows about the current request; one object per request. */
export interface SessionRequestState {
  session?: ActiveSession;
  /** SHA-256 of the presented token (hex); never the token itself. */
  tokenHash?: string;
  /** How the token arrived. */
  via?: 'cookie' | 'bearer';
  /** The client's address after trusted-proxy resolution. */
  clientIp: string;
  pendingCookie?: PendingCookie;
  /** Extension slots for other capabilities (policy ability, etc.). */
  [key: string]: unknown;
}

const STATE = Symbol.for('nestjs-session-security.request-state');

/** Returns (creating on first use) the module's state object of a request. */
export function requestState(request: object): SessionRequestState {
  const holder = request as { [STATE]?: SessionRequestState };
  holder[STATE] ??= { clientIp: '' };
  return holder[STATE];
}
