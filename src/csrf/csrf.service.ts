import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';

/**
 * Session-bound CSRF tokens: an HMAC of the session's token hash under a key derived from the
 * module secret. Nothing is stored, and rotating the session token rotates the CSRF token.
 *
 * @example const csrfToken = csrf.tokenFor(tokenHash);
 */
@Injectable()
export class CsrfService {
  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions) {}

  tokenFor(tokenHash: string): string {
    return createHmac('sha256', this.options.csrf.key).update(tokenHash).digest('base64url');
  }

  /** Constant-time check of a presented token against the session's. */
  verify(tokenHash: string, presented: unknown): boolean {
    if (typeof presented !== 'string' || presented.length !== 43) return false;
    const expected = Buffer.from(this.tokenFor(tokenHash));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
