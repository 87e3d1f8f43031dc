import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import type { RevocationScope } from '../session/revocation-marker.entity.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionRecords } from '../session/session-records.js';
import { SessionStore } from '../session/session-store.js';
import { UserStateRecords } from '../session/user-state-records.js';
import { PermissionChangeLog } from './permission-change-log.port.js';

/** `revokedReason` of an impersonation session ended with its impersonator's authority. */
export const IMPERSONATOR_REVOKED_REASON = 'impersonator_revoked';

/** Who asked for a change and why; recorded in the audit log. */
export interface ChangeContext {
  reason: string;
  actor?: string | null;
}

/**
 * Makes permission changes, account disables and bulk revocations effective at once, in O(1):
 * one marker row in the database and one epoch in Redis, checked by every request on every
 * instance. Row bookkeeping follows and never delays the effect.
 *
 * @example await revocations.permissionsChanged('42', { reason: 'role removed', actor: 'admin-1' });
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly store: SessionStore,
    private readonly records: SessionRecords,
    private readonly states: UserStateRecords,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(PermissionChangeLog) private readonly changeLog: PermissionChangeLog,
  ) {}

  /**
   * Every live session of the user must re-authenticate on its next request (401
   * `reauth_required`, reason `permissions_changed`); re-authentication picks up the new roles.
   * Effective on every instance when this returns: one transaction raises the user's permission
   * version and records the change, then the version is raised in Redis and the change audited
   * (`permissions.changed`); the permission-changes feature queues its background job on that
   * event before this returns. The job (id `<userId>:<version>`) then marks the user's
   * session rows `reauthRequiredAt`, notifies the user (`reauth_required`) and audits
   * `permissions.reauth_marked`; the effect never waits for it.
   *
   * @example await revocations.permissionsChanged('42', { reason: 'role removed', actor: 'admin-1' });
   */
  async permissionsChanged(
    userId: string,
    change: ChangeContext,
  ): Promise<{ authzVersion: number }> {
    if (typeof userId !== 'string' || userId.length < 1 || userId.length > 128) {
      throw new RangeError('userId: must be 1 to 128 characters');
    }
    const now = this.clock.now();
    const authzVersion = await this.states.raisePermissionVersion(userId, now, (manager, v) =>
      this.changeLog.record(manager, {
        userId,
        authzVersion: v,
        reason: change.reason,
        actor: change.actor ?? null,
        changedAt: now,
      }),
    );
    await this.store.raiseEpochs({ [`authz:${userId}`]: authzVersion });
    await this.endImpersonationsBy(userId, change, now);
    await this.events.emit({
      type: 'permissions.changed',
      userId,
      actor: change.actor ?? null,
      outcome: 'success',
      details: { reason: change.reason, authzVersion },
    });
    return { authzVersion };
  }

  /** Ends every session of the user at once and refuses sign-in until {@link enableUser}. */
  async disableUser(userId: string, change: ChangeContext): Promise<void> {
    const now = this.clock.now();
    await this.states.upsertUserState(userId, { disabledAt: now, updatedAt: now }, now);
    await this.revokeByMarker('user', userId, change);
    await this.events.emit({
      type: 'user.disabled',
      userId,
      actor: change.actor ?? null,
      outcome: 'success',
      details: { reason: change.reason },
    });
  }

  /** Allows sign-in again; sessions ended by the disable stay ended. */
  async enableUser(userId: string, change: ChangeContext): Promise<void> {
    const now = this.clock.now();
    await this.states.upsertUserState(userId, { disabledAt: null, updatedAt: now }, now);
    await this.events.emit({
      type: 'user.enabled',
      userId,
      actor: change.actor ?? null,
      outcome: 'success',
      details: { reason: change.reason },
    });
  }

  /** Whether sign-in is refused for the user. */
  async isDisabled(userId: string): Promise<boolean> {
    return !!(await this.states.userState(userId))?.disabledAt;
  }

  /**
   * Revokes every session of a scope created up to now: the marker takes effect before this
   * returns; the rows of a `user` scope are marked too (a user has few sessions) unless
   * `markRows: false` (a bulk revocation job marks them, and notifies their users). `at` (default
   * now) is the instant up to which sessions are revoked; a job passes its own cutoff so the
   * marker and the rows it marks agree.
   */
  async revokeByMarker(
    scope: RevocationScope,
    value: string,
    change: ChangeContext,
    { markRows = true, at }: { markRows?: boolean; at?: number } = {},
  ): Promise<number> {
    const notBefore = at ?? this.clock.now();
    const key = { scope, value: scope === 'all' ? '*' : value };
    await this.states.raiseMarker({
      ...key,
      notBefore,
      reason: change.reason,
      actor: change.actor ?? null,
    });
    await this.store.raiseEpochs({ [`rev:${key.scope}:${key.value}`]: notBefore });
    if (scope === 'user') await this.endImpersonationsBy(value, change, notBefore);
    if (scope !== 'user' || !markRows) return 0;
    const rows = await this.records.liveTokens(value);
    if (rows.length === 0) return 0;
    await this.records.markRevoked(
      rows.map((r) => r.id),
      change.reason,
      notBefore,
    );
    await this.store.endTokens(rows.map((r) => r.tokenHash));
    return rows.length;
  }

  /**
   * Ends the impersonation sessions a user holds as others: they act on the impersonator's
   * authority, so a disabled impersonator, one whose sessions were all revoked, or one whose
   * permissions changed (an impersonation session can never re-authenticate) keeps none.
   */
  private async endImpersonationsBy(
    impersonatorId: string,
    change: ChangeContext,
    at: number,
  ): Promise<void> {
    const rows = await this.records.liveImpersonationsBy(impersonatorId);
    if (rows.length === 0) return;
    await this.records.markRevoked(
      rows.map((r) => r.id),
      IMPERSONATOR_REVOKED_REASON,
      at,
    );
    await this.store.endTokens(rows.map((r) => r.tokenHash));
    for (const row of rows) {
      await this.events.emit({
        type: 'session.revoked',
        userId: row.userId,
        sessionId: row.id,
        actor: change.actor ?? null,
        outcome: 'success',
        details: { reason: IMPERSONATOR_REVOKED_REASON },
      });
    }
  }
}
