/**
 * What each event the module raises carries in `details`, by event type: the one catalog that
 * {@link SessionEvent}, the audit log's {@link AuditEventType} and the notification and
 * live-connection listeners are typed from, so a new event type is added here or nowhere.
 */
export interface SessionEventDetails {
  /** `kind`: the session started, `'standard'` or `'remembered'`. */
  'login.succeeded': { username?: string; kind?: string } | undefined;
  'login.failed': { username: string };
  'login.throttled': { username: string };
  logout: { reason: string };
  /** `kind` is set for an impersonation session (no new-sign-in notice: the user is told of it). */
  'session.created': { kind: 'impersonation' } | undefined;
  'session.rotated': undefined;
  'session.expired': { why: 'idle' | 'absolute' };
  /** `replacedBy`: the new session a `session_limit` revocation made room for. */
  'session.revoked': { reason: string; replacedBy?: string };
  /** A sign-in past the concurrent-session limit: the oldest sessions ended (`end-oldest`). */
  'session.limit_enforced': {
    policy: 'end-oldest';
    limit: number;
    endedSessions: string[];
  };
  /** A sign-in refused by the concurrent-session limit (`refuse-new`); outcome `denied`. */
  'session.limit_refused': { policy: 'refuse-new'; limit: number; liveSessions: number };
  /**
   * "This wasn't me": the user reported one of their sessions (the event's `sessionId`), which
   * ended; `reportedFrom` is where that session was started.
   */
  'session.reported': {
    reporterSessionId: string | null;
    reportedFrom: { ip: string | null; userAgent: string | null; createdAt: number };
    endedSessions: number;
  };
  /**
   * A rotated token of a remembered session came back after the replay grace window: the
   * session ended (`session.revoked`, reason `token_replayed`). `ip`/`userAgent` of the event are
   * the presenter's; `issuedTo` is where the session was started.
   */
  'session.replay_detected': {
    retiredAt: number;
    presentedAfterMs: number;
    replayGraceMs: number;
    issuedTo: { ip: string | null; userAgent: string | null };
  };
  /**
   * A request came from another client than its session was bound to (theft signals): what was
   * decided (`record`, `step-up` or `end`) and the evidence, each changed signal's old and new
   * value (user-agent family, IP network, country) — personal data: list `evidence` in
   * `audit.encryptFields` to keep it encrypted at rest.
   */
  'session.signal_changed': {
    decision: 'record' | 'step-up' | 'end';
    evidence: Array<{ signal: string; from: string | null; to: string | null; action: string }>;
  };
  /**
   * An admin (the event's `actor`, in their session `impersonatorSessionId`) started an
   * impersonation session (`sessionId`) of the user (`userId`), for `reason`, until `expiresAt`.
   */
  'impersonation.started': {
    impersonatorSessionId: string | null;
    reason: string;
    durationMs: number;
    expiresAt: number;
  };
  /** An impersonation session ended before its time (the impersonator ended it). */
  'impersonation.ended': { impersonatorSessionId: string | null; reason: string };
  'session.reauthenticated': { level: string };
  'password.changed': { changeId: string; endedSessions: number };
  'permissions.changed': { reason: string | null; authzVersion: number };
  'permissions.reauth_marked': {
    reason: string | null;
    authzVersion: number;
    markedSessions: number;
  };
  'user.disabled': { reason: string | null };
  'user.enabled': { reason: string | null };
  'revocation.started': Record<string, unknown> & { jobId: string };
  'revocation.batch': Record<string, unknown> & { jobId: string };
  'revocation.finished': Record<string, unknown> & { jobId: string; state: string };
  'access.denied': Record<string, unknown> & { code: string };
  'policy.denied': Record<string, unknown> & { reason: string | null; rule: string | null };
  'csrf.rejected': Record<string, unknown>;
  'policy.changed': Record<string, unknown> & {
    from: string;
    to: string;
    shrunkRoles: string[];
    reauthUsers: string[];
  };
  'policy.reviewed': Record<string, unknown> & { format: string; sections: string[] };
}

/** The type of an event the module raises. */
export type SessionEventType = keyof SessionEventDetails;

/** The denial events of the guards and the WebSocket handshake (outcome `denied`). */
export type DenialEventType = 'access.denied' | 'policy.denied' | 'csrf.rejected';

/** What every event has, whatever its type. */
export interface SessionEventFields {
  userId?: string | null;
  sessionId?: string | null;
  actor?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  action?: string;
  resource?: string;
}

/** One event of type `T`: its `details` are that type's entry in {@link SessionEventDetails}. */
export type SessionEventOf<T extends SessionEventType> = SessionEventFields & {
  type: T;
} & (undefined extends SessionEventDetails[T]
    ? { details?: SessionEventDetails[T] }
    : { details: SessionEventDetails[T] });

/**
 * Something that happened to a session; the audit log, notifications and live connections listen
 * to these. A discriminated union on `type`: `switch (event.type)` narrows `details`.
 *
 * @example
 * if (event.type === 'session.expired') console.log(event.details.why);
 */
export type SessionEvent = { [T in SessionEventType]: SessionEventOf<T> }[SessionEventType];

/**
 * Every event type, listed once so code can enumerate them (an exhaustiveness check keeps the
 * list and {@link SessionEventDetails} in step).
 */
export const SESSION_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'login.throttled',
  'logout',
  'session.created',
  'session.rotated',
  'session.expired',
  'session.revoked',
  'session.limit_enforced',
  'session.limit_refused',
  'session.reported',
  'session.replay_detected',
  'session.signal_changed',
  'impersonation.started',
  'impersonation.ended',
  'session.reauthenticated',
  'password.changed',
  'permissions.changed',
  'permissions.reauth_marked',
  'user.disabled',
  'user.enabled',
  'revocation.started',
  'revocation.batch',
  'revocation.finished',
  'access.denied',
  'policy.denied',
  'csrf.rejected',
  'policy.changed',
  'policy.reviewed',
] as const satisfies readonly SessionEventType[];

type Missing = Exclude<SessionEventType, (typeof SESSION_EVENT_TYPES)[number]>;
// A type in the catalog but not in the list fails to compile here.
const everyTypeListed: [Missing] extends [never] ? true : Missing = true;
void everyTypeListed;
