import { parseCookie, stringifySetCookie } from 'cookie';
import type { ResolvedOptions } from '../options/resolved-options.js';
import type { IssuedSession } from './session.service.js';
import { requestState } from './request-state.js';

const MAX_COOKIE_HEADER = 8_192;

/**
 * Reads the session token from the request's `Cookie` header. Oversized or malformed headers
 * yield `undefined` (treated as "no session"), never an error.
 */
export function readSessionCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > MAX_COOKIE_HEADER) return undefined;
  try {
    return parseCookie(header)[name] ?? undefined;
  } catch {
    return undefined;
  }
}

/** `Set-Cookie` value carrying a token: `__Host-`, HttpOnly, Secure, SameSite, Path=/, no Domain. */
export function sessionCookie(options: ResolvedOptions, token: string, maxAgeMs: number): string {
  return stringifySetCookie({
    name: options.cookie.name,
    value: token,
    httpOnly: true,
    secure: true,
    sameSite: options.cookie.sameSite === 'Strict' ? 'strict' : 'lax',
    path: '/',
    maxAge: Math.max(1, Math.floor(maxAgeMs / 1000)),
  });
}

/** `Set-Cookie` value that removes the session cookie. */
export function clearedSessionCookie(options: ResolvedOptions): string {
  return stringifySetCookie({
    name: options.cookie.name,
    value: '',
    httpOnly: true,
    secure: true,
    sameSite: options.cookie.sameSite === 'Strict' ? 'strict' : 'lax',
    path: '/',
    maxAge: 0,
  });
}

/**
 * Asks the response to carry a newly issued token (login, re-authentication, rotation).
 * The {@link SessionCookieInterceptor} writes it.
 *
 * @example setSessionCookie(request, await sessions.create(user, origin));
 */
export function setSessionCookie(request: object, issued: IssuedSession): void {
  const state = requestState(request);
  state.pendingCookie = {
    kind: 'set',
    token: issued.token,
    expiresAt: issued.session.absoluteExpiresAt,
  };
  state.session = issued.session;
  state.tokenHash = issued.tokenHash;
  state.via = 'cookie';
}

/** Asks the response to clear the session cookie and site data (logout). */
export function clearSessionCookie(request: object): void {
  requestState(request).pendingCookie = { kind: 'clear' };
}
