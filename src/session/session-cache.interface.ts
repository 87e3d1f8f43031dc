import type { ActiveSession } from './session.types.js';

/** The per-user and bulk revocation state a session is checked against on every request. */
export interface SessionEpochs {
  /** Latest `notBefore` of every revocation marker covering the session (all/tenant/role/user). */
  revokedBefore: number;
  /** The user's current permission version. */
  authzVersion: number;
}

/** Outcome of one cache lookup: found (with epochs, `null` when unknown), ended, or absent. */
export type CacheLookup =
  | { kind: 'hit'; session: ActiveSession; epochs: SessionEpochs | null }
  | { kind: 'tombstone' }
  | { kind: 'miss' };

/**
 * Port of the shared session cache (Redis in production, memory in single-instance mode).
 * Every method may throw when the backing store is unreachable; callers fall back to the database.
 */
export interface SessionCache {
  /** Shared by several instances (Redis): reads are then bounded by the invalidation watch. */
  readonly shared?: boolean;
  /** Session snapshot plus its epochs in one round trip. */
  lookup(tokenHash: string): Promise<CacheLookup>;
  /** Caches a session read from the database unless the token was ended meanwhile. */
  fill(tokenHash: string, session: ActiveSession, ttlMs: number): Promise<void>;
  /** Replaces a cached session (touch, re-authentication) unless the token was ended. */
  update(tokenHash: string, session: ActiveSession, ttlMs: number): Promise<void>;
  /** Ends tokens: drops their snapshots and remembers them as dead for `ttlMs`. */
  tombstone(tokenHashes: string[], ttlMs: number): Promise<void>;
  /** Raises epoch fields (never lowers them) and marks the epochs as initialised when asked. */
  raiseEpochs(entries: Record<string, number>, markInitialised?: boolean): Promise<void>;
  /** Whether the epochs were loaded since the store last started empty. */
  epochsInitialised(): Promise<boolean>;
  ping(): Promise<void>;
}
export const SessionCache = Symbol('SessionCache');

/** Field names of the epochs that cover a session; shared by every cache implementation. */
export function epochFields(session: Pick<ActiveSession, 'userId' | 'tenantId' | 'roles'>): {
  revocation: string[];
  authz: string;
} {
  const revocation = ['rev:all:*', `rev:user:${session.userId}`];
  if (session.tenantId) revocation.push(`rev:tenant:${session.tenantId}`);
  for (const role of session.roles) revocation.push(`rev:role:${role}`);
  return { revocation, authz: `authz:${session.userId}` };
}

/** Combines raw epoch values (missing = 0) into {@link SessionEpochs}. */
export function toEpochs(
  revocationValues: Array<number | null>,
  authz: number | null,
): SessionEpochs {
  let revokedBefore = 0;
  for (const value of revocationValues) if (value && value > revokedBefore) revokedBefore = value;
  return { revokedBefore, authzVersion: authz ?? 0 };
}
