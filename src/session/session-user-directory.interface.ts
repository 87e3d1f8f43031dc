import type { SessionPrincipal } from './session.types.js';

/**
 * The app's user lookup, used when a session re-authenticates or its user's permissions change.
 *
 * @example
 * const users: SessionUserDirectory = { findById: (id) => repo.findOneBy({ id }).then(toPrincipal) };
 */
export interface SessionUserDirectory {
  findById(userId: string): Promise<SessionPrincipal | null>;
}
