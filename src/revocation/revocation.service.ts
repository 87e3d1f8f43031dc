import { Inject, Injectable, Optional } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { Clock } from '../common/clock.js';
import { serialTransaction } from '../common/serial-transaction.js';
import { PermissionChangeEntity } from '../permission-changes/permission-change.entity.js';
import { PermissionChangeQueue } from '../permission-changes/permission-change.queue.js';
import { RevocationMarkerEntity, RevocationScope } from '../session/revocation-marker.entity.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionStore } from '../session/session-store.js';
import { SessionUserStateEntity } from '../session/session-user-state.entity.js';
import { SessionEntity } from '../session/session.entity.js';

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
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Optional() private readonly changeJobs?: PermissionChangeQueue,
  ) {}

  private get states() {
    return this.store.dataSourceRef.getRepository(SessionUserStateEntity);
  }

  /**
   * Every live session of the user must re-authenticate on its next request (401
   * `reauth_required`, reason `permissions_changed`); re-authentication picks up the new roles.
   * Effective on every instance when this returns: one transaction raises the user's permission
   * version and records the change, then the version is raised in Redis and the change audited
   * (`permissions.changed`). A background job (id `<userId>:<version>`) then marks the user's
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
    const authzVersion = await this.recordChange(userId, change, now);
    await this.store.raiseEpochs({ [`authz:${userId}`]: authzVersion });
    await this.events.emit({
      type: 'permissions.changed',
      userId,
      actor: change.actor ?? null,
      outcome: 'success',
      details: { reason: change.reason, authzVersion },
    });
    await this.changeJobs?.enqueue({ userId, authzVersion });
    return { authzVersion };
  }

  /** Ends every session of the user at once and refuses sign-in until {@link enableUser}. */
  async disableUser(userId: string, change: ChangeContext): Promise<void> {
    const now = this.clock.now();
    await this.upsertState(userId, { disabledAt: now, updatedAt: now });
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
    await this.upsertState(userId, { disabledAt: null, updatedAt: this.clock.now() });
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
    return !!(await this.states.findOneBy({ userId }))?.disabledAt;
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
    const markers = this.store.dataSourceRef.getRepository(RevocationMarkerEntity);
    const key = { scope, value: scope === 'all' ? '*' : value };
    const existing = await markers.findOneBy(key);
    if (!existing || existing.notBefore < notBefore) {
      await markers.save({
        ...key,
        notBefore,
        reason: change.reason.slice(0, 256),
        actor: change.actor ?? null,
      });
    }
    await this.store.raiseEpochs({ [`rev:${key.scope}:${key.value}`]: notBefore });
    if (scope !== 'user' || !markRows) return 0;
    const rows = await this.store.sessions.find({
      select: { id: true, tokenHash: true },
      where: { userId: value, revokedAt: IsNull() },
    });
    if (rows.length === 0) return 0;
    await this.store.sessions.update({ id: In(rows.map((r) => r.id)), revokedAt: IsNull() }, {
      revokedAt: notBefore,
      revokedReason: change.reason.slice(0, 64),
    } as Partial<SessionEntity>);
    await this.store.endTokens(rows.map((r) => r.tokenHash));
    return rows.length;
  }

  /** One transaction: the user's version raised (row created if new) and the change recorded. */
  private recordChange(userId: string, change: ChangeContext, now: number): Promise<number> {
    return serialTransaction(this.store.dataSourceRef, async (manager) => {
      const states = manager.getRepository(SessionUserStateEntity);
      await states
        .createQueryBuilder()
        .insert()
        .values({ userId, authzVersion: 0, notBefore: null, disabledAt: null, updatedAt: now })
        .orIgnore()
        .execute();
      await states
        .createQueryBuilder()
        .update()
        .set({ authzVersion: () => '"authzVersion" + 1', notBefore: now, updatedAt: now })
        .where('"userId" = :userId', { userId })
        .execute();
      const { authzVersion } = await states.findOneByOrFail({ userId });
      await manager.getRepository(PermissionChangeEntity).insert({
        userId,
        authzVersion,
        reason: change.reason.slice(0, 256),
        actor: change.actor?.slice(0, 128) ?? null,
        changedAt: now,
        state: 'pending',
        markedSessions: 0,
        finishedAt: null,
        error: null,
      });
      return authzVersion;
    });
  }

  private async upsertState(
    userId: string,
    changes: Partial<SessionUserStateEntity>,
  ): Promise<void> {
    const updated = await this.states.update({ userId }, changes);
    if (!updated.affected) {
      await this.states.insert({
        userId,
        authzVersion: 0,
        notBefore: null,
        disabledAt: null,
        updatedAt: this.clock.now(),
        ...changes,
      });
    }
  }
}
