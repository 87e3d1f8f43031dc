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
    const byUser = new Map<string, string[]>();
    for (const row of batch) {
      const ids = byUser.get(row.userId) ?? [];
      if (ids.length === 0) byUser.set(row.userId, ids);
      ids.push(row.id);
    }
    await this.notifications.notifyMany(
      [...byUser].map(([userId, sessionIds]) => ({
        userId,
        type,
        payload: { sessionIds, reason: job.reason, jobId: job.id },
        dedupeKey: `revocation-job:${job.id}`,
      })),
    );
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
