import type { SessionPrincipal } from './session.types.js';

/**
 * The app's user lookup, used when a session re-authenticates or its user's permissions change.
 *
 * @example
 * // ids arrive as strings: convert for a numeric primary key
 * const users: SessionUserDirectory = { findById: (id) => repo.findOneBy({ id: Number(id) }).then(toPrincipal) };
 */
export interface SessionUserDirectory {
  findById(userId: string): Promise<SessionPrincipal | null>;
}

declare module '../options/resolved-options.js' {
  /** The `users` slice of the resolved options, filled by `resolveOptions()`. */
  interface ResolvedOptions {
    users?: SessionUserDirectory;
  }
}
