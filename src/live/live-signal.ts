/** Which live connections a signal asks every instance to re-check. */
export type LiveScope = 'session' | 'user' | 'tenant' | 'role' | 'all';

/**
 * A hint, sent to every instance, that some sessions may have ended. It carries no verdict: each
 * instance re-checks the connections it names against the session store, so a signal can end a
 * connection whose session is really over and can never keep one alive.
 */
export interface LiveSignal {
  scope: LiveScope;
  /** Session id, user id, tenant id or role; absent for `all`. */
  value?: string;
}

const SCOPES = new Set<LiveScope>(['session', 'user', 'tenant', 'role', 'all']);

/** Parses a signal from the wire; anything malformed is `null` (and ignored). */
export function parseLiveSignal(raw: string): (LiveSignal & { from?: string }) | null {
  try {
    const value = JSON.parse(raw) as { scope?: unknown; value?: unknown; from?: unknown };
    if (!SCOPES.has(value.scope as LiveScope)) return null;
    if (value.scope !== 'all' && (typeof value.value !== 'string' || value.value.length > 256)) {
      return null;
    }
    return {
      scope: value.scope as LiveScope,
      ...(typeof value.value === 'string' ? { value: value.value } : {}),
      ...(typeof value.from === 'string' ? { from: value.from } : {}),
    };
  } catch {
    return null;
  }
}
