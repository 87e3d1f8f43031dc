import type { SessionEntity } from './session.entity.js';
import type { ActiveSession, Impersonator } from './session.types.js';

/** The public view of a session row: everything but the token hash and revocation fields. */
export function toActiveSession(row: SessionEntity): ActiveSession {
  return {
    id: row.id,
    userId: row.userId,
    tenantId: row.tenantId,
    roles: row.roles,
    authzVersion: row.authzVersion,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    idleExpiresAt: row.idleExpiresAt,
    absoluteExpiresAt: row.absoluteExpiresAt,
    authenticatedAt: row.authenticatedAt,
    authLevel: row.authLevel,
    ip: row.ip,
    userAgent: row.userAgent,
    data: row.data,
    reauthRequiredAt: row.reauthRequiredAt,
    kind: row.kind ?? 'standard',
    tokenIssuedAt: row.tokenIssuedAt ?? null,
    reauthenticatedAt: row.reauthenticatedAt ?? null,
    fingerprint: row.fingerprint ?? null,
    suspiciousChangeAt: row.suspiciousChangeAt ?? null,
    impersonatedBy: impersonatorOf(row),
  };
}

/** Who holds an impersonation session row, or `null` for any other session. */
export function impersonatorOf(
  row: Pick<SessionEntity, 'impersonatorId' | 'impersonatorSessionId' | 'impersonationReason'>,
): Impersonator | null {
  if (!row.impersonatorId) return null;
  return {
    userId: row.impersonatorId,
    sessionId: row.impersonatorSessionId ?? null,
    reason: row.impersonationReason ?? '',
  };
}
