import { InvalidDurationError, parseDuration, type Duration } from '../common/duration.js';
import { InvalidRequestException } from '../errors/session-security.exception.js';

/** The longest reason kept; a reason is a sentence for the audit trail, not a document. */
export const MAX_IMPERSONATION_REASON = 500;

/**
 * What an admin asks for when starting an impersonation: why, and for how long (milliseconds or
 * text such as `'15m'`, at most `session.impersonation.maxDuration`).
 *
 * @example const request: ImpersonationRequest = { reason: 'ticket #4821: cannot save', duration: '15m' };
 */
export interface ImpersonationRequest {
  reason: string;
  duration: Duration;
}

/**
 * Checks an impersonation request as it came from a client, so bad input is a 400 naming the
 * field: the reason must be 1-500 characters of text (surrounding blanks are dropped), the
 * duration a positive duration no longer than `maxDurationMs`.
 *
 * @throws InvalidRequestException (400 `invalid_request`) naming `reason` or `duration`
 * @example checkImpersonationRequest({ reason: 'ticket #4821', duration: '15m' }, 3_600_000)
 * // { reason: 'ticket #4821', durationMs: 900000 }
 */
export function checkImpersonationRequest(
  input: { reason?: unknown; duration?: unknown },
  maxDurationMs: number,
): { reason: string; durationMs: number } {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason.length === 0 || reason.length > MAX_IMPERSONATION_REASON) {
    throw new InvalidRequestException(
      `reason: required — say why you act as the user, in 1-${MAX_IMPERSONATION_REASON} characters`,
    );
  }
  if (typeof input.duration !== 'string' && typeof input.duration !== 'number') {
    throw new InvalidRequestException("duration: required — a duration such as '15m' or ms");
  }
  let durationMs: number;
  try {
    durationMs = parseDuration(input.duration, 'duration');
  } catch (error) {
    if (error instanceof InvalidDurationError) throw new InvalidRequestException(error.message);
    throw error;
  }
  if (durationMs > maxDurationMs) {
    throw new InvalidRequestException(
      `duration: at most ${maxDurationMs} ms (session.impersonation.maxDuration), got ${durationMs}`,
    );
  }
  return { reason, durationMs };
}
