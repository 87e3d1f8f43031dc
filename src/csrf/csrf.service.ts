import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import type { ActiveSession } from '../session/session.types.js';

/** What a CSRF token is bound to besides the token hash: a remembered session's identity. */
export type CsrfSession = Pick<ActiveSession, 'id' | 'kind' | 'authenticatedAt'>;

/**
 * Session-bound CSRF tokens: an HMAC of the session's token hash under a key derived from the
 * module secret. Nothing is stored, and rotating the session token rotates the CSRF token —
 * except for a remembered session (pass `session`), whose token rotates on use: its CSRF token
 * is bound to the session and its last authentication instead, so it changes on sign-in and
 * re-authentication but stays valid across rotations the page never sees.
 *
 * @example const csrfToken = csrf.tokenFor(issued.tokenHash, issued.session);
 */
@Injectable()
export class CsrfService {
  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions) {}

  tokenFor(tokenHash: string, session?: CsrfSession): string {
    const binding =
      session?.kind === 'remembered'
        ? `remembered:${session.id}:${session.authenticatedAt}`
        : tokenHash;
    return createHmac('sha256', this.options.csrf.key).update(binding).digest('base64url');
  }

  /** Constant-time check of a presented token against the session's. */
  verify(tokenHash: string, presented: unknown, session?: CsrfSession): boolean {
    if (typeof presented !== 'string' || presented.length !== 43) return false;
    const expected = Buffer.from(this.tokenFor(tokenHash, session));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
