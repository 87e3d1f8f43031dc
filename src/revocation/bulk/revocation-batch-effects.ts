import { Inject, Injectable } from '@nestjs/common';
import { DataSource, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import { SESSION_SECURITY_DATA_SOURCE } from '../../common/tokens.js';
import { NotificationBatchService } from '../../notifications/notification-batch.service.js';
import { NotificationTypes } from '../../notifications/notification-types.js';
import { SessionStore } from '../../session/session-store.js';
import { SessionEntity } from '../../session/session.entity.js';
import {
  BULK_REVOCATION_OPTIONS,
  type ResolvedBulkRevocationOptions,
} from './bulk-revocation.options.js';
import type { RevocationJobEntity } from './revocation-job.entity.js';
import type { MatchedSession } from './session-matcher.js';

/** Jobs whose notified users are remembered, and users remembered per job (memory stays bounded). */
const REMEMBERED_JOBS = 4;
const REMEMBERED_USERS = 200_000;

/**
 * What follows the commit of a bulk-revocation batch: the batch's cached tokens die and the
 * sessions' users get a `session_revoked` notification (deduplicated per job and user, or per
 * session, so a batch handled again notifies nobody twice). Both are idempotent, which lets a resumed run handle the
 * last committed batch again.
 *
 * @example
 * await effects.endTokens(batch);
 * await effects.notify(job, batch);
 */
@Injectable()
export class RevocationBatchEffects {
  /**
   * Per recent job, the users this process has notified for it (after their batch's notifications
   * committed): a later batch leaves them out before the database would skip them. Only a
   * shortcut — the dedupe key decides — so a resumed run elsewhere, or a full set, costs nothing
   * but the database's check.
   */
  private readonly notifiedByJob = new Map<string, Set<string>>();

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly store: SessionStore,
    private readonly notifications: NotificationBatchService,
    @Inject(BULK_REVOCATION_OPTIONS) private readonly options: ResolvedBulkRevocationOptions,
  ) {}

  /**
   * Ends the batch's cached tokens, so no instance serves them from its cache (while Redis is
   * unreachable: within the cache freshness bound, without holding up the next batch).
   */
  async endTokens(batch: MatchedSession[]): Promise<void> {
    if (batch.length > 0)
      await this.store.endTokens(
        batch.map((row) => row.tokenHash),
        { waitForEveryInstance: false },
      );
  }

  /**
   * Notifies the batch's users with `session_revoked` (unless `notify: false`), set-based: by
   * default one notification per user per job (dedupe key `revocation-job:<jobId>`, so the job's
   * later batches and a resumed run add none for that user), listing the batch's sessions of the
   * user; with `notifyPer: 'session'` one per session (dedupe key `session:<id>`).
   */
  async notify(job: RevocationJobEntity, batch: MatchedSession[]): Promise<void> {
    if (batch.length === 0 || !this.options.notify) return;
    const type = NotificationTypes.sessionRevoked;
    if (this.options.notifyPer === 'session') {
      await this.notifications.notifyMany(
        batch.map((row) => ({
          userId: row.userId,
          type,
          payload: { sessionId: row.id, reason: job.reason, jobId: job.id },
          dedupeKey: `session:${row.id}`,
        })),
      );
      return;
    }
    const notified = this.notifiedUsers(job.id);
    const byUser = new Map<string, string[]>();
    for (const row of batch) {
      if (notified.has(row.userId)) continue;
      const ids = byUser.get(row.userId) ?? [];
      if (ids.length === 0) byUser.set(row.userId, ids);
      ids.push(row.id);
    }
    if (byUser.size === 0) return;
    await this.notifications.notifyMany(
      [...byUser].map(([userId, sessionIds]) => ({
        userId,
        type,
        payload: { sessionIds, reason: job.reason, jobId: job.id },
        dedupeKey: `revocation-job:${job.id}`,
      })),
    );
    for (const userId of byUser.keys()) {
      if (notified.size >= REMEMBERED_USERS) break;
      notified.add(userId);
    }
  }

  /** The set of users notified for the job in this process (the last few jobs are kept). */
  private notifiedUsers(jobId: string): Set<string> {
    let users = this.notifiedByJob.get(jobId);
    if (!users) {
      users = new Set();
      this.notifiedByJob.set(jobId, users);
      for (const old of this.notifiedByJob.keys()) {
        if (this.notifiedByJob.size <= REMEMBERED_JOBS) break;
        this.notifiedByJob.delete(old);
      }
    }
    return users;
  }

  /**
   * The sessions of the job's last committed batch: a process that died right after that commit
   * may not have applied its effects. The job revokes in id order, so they are the highest ids up
   * to the cursor that it revoked (at or after its cutoff, with its reason).
   */
  async lastCommitted(job: RevocationJobEntity): Promise<MatchedSession[]> {
    if (job.cursor === null) return [];
    return this.dataSource.getRepository(SessionEntity).find({
      select: {
        id: true,
        tokenHash: true,
        userId: true,
        createdAt: true,
        ip: true,
        roles: true,
        userAgent: true,
      },
      where: {
        id: LessThanOrEqual(job.cursor),
        revokedAt: MoreThanOrEqual(job.cutoffAt),
        revokedReason: job.reason.slice(0, 64),
      },
      order: { id: 'DESC' },
      take: this.options.batchSize,
    });
  }
}
