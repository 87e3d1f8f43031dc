import type { ActiveSession } from '../session/session.types.js';

/**
 * What a route requires: authentication at most `maxAgeMs` ago, at `level` or stronger.
 *
 * @example const requirement: FreshAuthRequirement = { maxAgeMs: 300_000, level: 'mfa' };
 */
export interface FreshAuthRequirement {
  maxAgeMs: number;
  level?: string;
}

/**
 * The verdict of {@link decideFreshAuth}. A denial carries what the client must satisfy.
 *
 * @example { ok: false, reason: 'stale_authentication', maxAge: 300_000 }
 */
export type FreshAuthDecision =
  | { ok: true }
  | {
      ok: false;
      reason: 'stale_authentication' | 'insufficient_level';
      /** The required maximum age, in milliseconds. */
      maxAge: number;
      level?: string;
    };

/**
 * Thrown when a fresh-auth requirement cannot be decided because it is misconfigured (a level
 * missing from `freshAuth.levels`, a maximum age that is not a positive number). It surfaces as a
 * 500: a security requirement is never silently skipped.
 *
 * @example new FreshAuthConfigurationError("unknown level 'mfaa'")
 */
export class FreshAuthConfigurationError extends Error {
  constructor(message: string) {
    super(`@RequireFreshAuth(): ${message}`);
    this.name = 'FreshAuthConfigurationError';
  }
}

/**
 * Decides whether a session satisfies a fresh-auth requirement at time `now` (epoch ms).
 * `levels` orders the auth levels from weakest to strongest; a session level not in it counts as
 * weaker than all of them. The level is checked first — re-authenticating with the same factor
 * would not help — then the age: `now - authenticatedAt <= maxAgeMs` is fresh. A remembered
 * session's sign-in never counts: only a re-authentication made in it does
 * (`now - reauthenticatedAt <= maxAgeMs`), so a remembered device must prove itself again. An
 * impersonation session is never fresh: whoever holds it did not prove to be the user.
 *
 * @throws FreshAuthConfigurationError when `requirement.level` is not in `levels`
 * @example
 * decideFreshAuth({ authenticatedAt: t, authLevel: 'password' }, { maxAgeMs: 60_000 }, t + 61_000,
 *   ['password', 'mfa']) // { ok: false, reason: 'stale_authentication', maxAge: 60000 }
 */
export function decideFreshAuth(
  session: Pick<ActiveSession, 'authenticatedAt' | 'authLevel'> &
    Partial<Pick<ActiveSession, 'kind' | 'reauthenticatedAt'>>,
  requirement: FreshAuthRequirement,
  now: number,
  levels: readonly string[],
): FreshAuthDecision {
  const { maxAgeMs, level } = requirement;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0) {
    throw new FreshAuthConfigurationError(
      `maxAge must be a positive number of ms, got ${maxAgeMs}`,
    );
  }
  const denial = (reason: 'stale_authentication' | 'insufficient_level'): FreshAuthDecision =>
    level === undefined
      ? { ok: false, reason, maxAge: maxAgeMs }
      : { ok: false, reason, maxAge: maxAgeMs, level };

  if (level !== undefined) {
    const required = levels.indexOf(level);
    if (required < 0) {
      throw new FreshAuthConfigurationError(
        `unknown level '${level}' — freshAuth.levels is [${levels.map((l) => `'${l}'`).join(', ')}]`,
      );
    }
    if (levels.indexOf(session.authLevel) < required) return denial('insufficient_level');
  }
  const provedAt =
    session.kind === 'impersonation'
      ? null
      : session.kind === 'remembered'
        ? (session.reauthenticatedAt ?? null)
        : session.authenticatedAt;
  if (provedAt === null || !(now - provedAt <= maxAgeMs)) return denial('stale_authentication');
  return { ok: true };
}
