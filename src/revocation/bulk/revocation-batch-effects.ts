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
 * What follows the commit of a bulk-revocation batch: the batch's cached tokens die and each
 * session's user gets one `session_revoked` notification (deduplicated by session id, so a batch
 * handled again notifies nobody twice). Both are idempotent, which lets a resumed run handle the
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

  /** Gives each session's user one `session_revoked` notification (unless `notify: false`). */
  async notify(job: RevocationJobEntity, batch: MatchedSession[]): Promise<void> {
    if (batch.length === 0 || !this.options.notify) return;
    await this.notifications.notifyMany(
      batch.map((row) => ({
        userId: row.userId,
        type: NotificationTypes.sessionRevoked,
        payload: { sessionId: row.id, reason: job.reason },
        dedupeKey: `session:${row.id}`,
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
