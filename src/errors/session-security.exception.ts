import { HttpException } from '@nestjs/common';
import { ErrorCode, ReauthReason, RevokedReason } from './denial-codes.js';

/**
 * Base of every denial: the body is `{ statusCode, error, message, ...extra }` with a
 * machine-readable `error` code, and extra headers (e.g. `WWW-Authenticate`) travel with it.
 */
export class SessionSecurityException extends HttpException {
  constructor(
    status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super({ statusCode: status, error: code, message, ...extra }, status);
  }
}

/** 401: no valid session was presented. */
export class SessionRequiredException extends SessionSecurityException {
  constructor(message = 'A valid session is required') {
    super(401, 'session_required', message);
  }
}

/** 401: the session passed its idle or absolute timeout. */
export class SessionExpiredException extends SessionSecurityException {
  constructor(message = 'The session has expired; sign in again') {
    super(401, 'session_expired', message);
  }
}

/**
 * 401: the session was ended by logout, revocation or account disable; with `reason:
 * 'session_limit'` when it ended because the user signed in elsewhere past the session limit.
 */
export class SessionRevokedException extends SessionSecurityException {
  constructor(
    message = 'The session has been ended; sign in again',
    readonly reason?: RevokedReason,
  ) {
    super(401, 'session_revoked', message, reason ? { reason } : {});
  }
}

/** 401: the session is live but must prove who it is again (`POST /auth/reauth` or similar). */
export class ReauthRequiredException extends SessionSecurityException {
  constructor(
    readonly reason: ReauthReason,
    details: { maxAge?: number; level?: string } = {},
    message = 'Re-authentication is required for this action',
  ) {
    const params = [`error="reauth_required"`, `reason="${reason}"`];
    if (details.maxAge !== undefined) params.push(`max_age=${Math.floor(details.maxAge / 1000)}`);
    if (details.level) params.push(`level="${details.level}"`);
    super(
      401,
      'reauth_required',
      message,
      { reason, ...details },
      { 'WWW-Authenticate': `Session ${params.join(', ')}` },
    );
  }
}

/** 403: the session is valid but the policy does not allow this. */
export class ForbiddenException extends SessionSecurityException {
  constructor(reason?: string, message = 'You may not perform this action') {
    super(403, 'forbidden', message, reason ? { reason } : {});
  }
}

/** 403: a cookie-authenticated unsafe request failed the CSRF checks. */
export class CsrfRejectedException extends SessionSecurityException {
  constructor(message = 'Cross-site request rejected') {
    super(403, 'csrf_rejected', message);
  }
}

/** 401: unknown user or wrong password — the same answer for both. */
export class InvalidCredentialsException extends SessionSecurityException {
  constructor() {
    super(401, 'invalid_credentials', 'Invalid username or password');
  }
}

/** 429: too many failed attempts for this username and address. */
export class TooManyAttemptsException extends SessionSecurityException {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'too_many_attempts',
      'Too many failed attempts; try again later',
      { retryAfter: retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

/**
 * 409: the user already has as many live sessions as the concurrent-session limit allows and the
 * limit's policy is `refuse-new`; an existing session must be ended first.
 */
export class TooManySessionsException extends SessionSecurityException {
  constructor(limit: number) {
    super(
      409,
      'too_many_sessions',
      `You are signed in on ${limit} ${limit === 1 ? 'device' : 'devices'} already; sign out of one first`,
      { limit },
    );
  }
}

/** 400 (or another 4xx): the request itself is malformed. */
export class InvalidRequestException extends SessionSecurityException {
  constructor(message: string, status = 400) {
    super(status, 'invalid_request', message);
  }
}
