import type { SessionLimit } from '../options/resolved-options.js';

export type { SessionLimit };

/** What happens to a sign-in past the limit: the oldest sessions end, or the sign-in is refused. */
export type SessionLimitPolicy = SessionLimit['policy'];

/** `revokedReason` of a session ended by the limit (and the `reason` of its 401). */
export const SESSION_LIMIT_REASON = 'session_limit';

/**
 * How many live sessions a user with `roles` may have at once: the smallest of `maxSessions` and
 * the `perRole` limit of each of their roles; `null` when none applies (no limit).
 *
 * @example sessionLimitFor(['admin', 'editor'], { maxSessions: 5, perRole: { admin: 2 }, policy: 'end-oldest' }) // 2
 */
export function sessionLimitFor(
  roles: readonly string[],
  limit: SessionLimit | null,
): number | null {
  if (!limit) return null;
  let max = limit.maxSessions;
  for (const role of roles) {
    const perRole = Object.hasOwn(limit.perRole, role) ? limit.perRole[role] : undefined;
    if (perRole !== undefined && (max === null || perRole < max)) max = perRole;
  }
  return max;
}

/** The decision for one sign-in, given the user's live sessions and their limit. */
export type LimitDecision<S> =
  { allowed: true; end: S[] } | { allowed: false; liveSessions: number };

/**
 * Decides a sign-in under the limit: allowed as is while the user has fewer than `max` live
 * sessions; past it, `end-oldest` ends the oldest (by `createdAt`) until the new one fits, and
 * `refuse-new` refuses it.
 *
 * @example
 * decideSessionLimit(live, 3, 'end-oldest'); // { allowed: true, end: [oldest] } with 3 live
 */
export function decideSessionLimit<S extends { createdAt: number; id: string }>(
  live: readonly S[],
  max: number,
  policy: SessionLimitPolicy,
): LimitDecision<S> {
  const excess = live.length + 1 - max;
  if (excess <= 0) return { allowed: true, end: [] };
  if (policy === 'refuse-new') return { allowed: false, liveSessions: live.length };
  const oldestFirst = [...live].sort(
    (a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id),
  );
  return { allowed: true, end: oldestFirst.slice(0, excess) };
}
