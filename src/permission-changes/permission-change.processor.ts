import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, In, IsNull, LessThan, MoreThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import {
  NOTIFICATION_OPTIONS,
  type ResolvedNotificationOptions,
} from '../notifications/notification-options.js';
import { serialTransaction } from '../common/serial-transaction.js';
import { NotificationTypes } from '../notifications/notification-types.js';
import { NotificationService } from '../notifications/notification.service.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionEntity } from '../session/session.entity.js';
import { PermissionChangeEntity } from './permission-change.entity.js';
import {
  PERMISSION_CHANGE_OPTIONS,
  type ResolvedPermissionChangeOptions,
} from './permission-change.options.js';

/**
 * The data of one permission-change job: whose change, and which version it raised.
 *
 * @example const job: PermissionChangeJobData = { userId: '42', authzVersion: 7 };
 */
export interface PermissionChangeJobData {
  userId: string;
  authzVersion: number;
}

/**
 * How one run of a job ended.
 *
 * @example const outcome: PermissionChangeOutcome = await processor.run({ userId: '42', authzVersion: 7 });
 */
export type PermissionChangeOutcome = 'done' | 'already_done' | 'unknown';

/**
 * The background bookkeeping of a permission change, the same code under Bull and in process.
 * Each step is idempotent, so a job delivered twice (even at once) or resumed after a crash does
 * nothing twice:
 *
 * 1. marks the user's live sessions issued under an older version `reauthRequiredAt`, a batch per
 *    transaction, only rows not marked yet, counting each marked row once on the change row;
 * 2. creates the `reauth_required` notification under the dedupe key `authz:<version>`;
 * 3. moves the change from `pending` to `done` — only the run that does so records the
 *    `permissions.reauth_marked` audit event.
 *
 * @example
 * await processor.run({ userId: '42', authzVersion: 7 }); // 'done'
 */
@Injectable()
export class PermissionChangeProcessor {
  private readonly logger = new Logger('SessionSecurityPermissions');

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly events: SessionEvents,
    private readonly notifications: NotificationService,
    @Inject(NOTIFICATION_OPTIONS) private readonly notificationOptions: ResolvedNotificationOptions,
    @Inject(PERMISSION_CHANGE_OPTIONS) private readonly options: ResolvedPermissionChangeOptions,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get changes() {
    return this.dataSource.getRepository(PermissionChangeEntity);
  }

  /** Runs (or resumes) the job of one change; rethrows so the queue retries. */
  async run({ userId, authzVersion }: PermissionChangeJobData): Promise<PermissionChangeOutcome> {
    const change = await this.changes.findOneBy({ userId, authzVersion });
    if (!change) return 'unknown';
    if (change.state === 'done') return 'already_done';
    while (await this.markBatch(change)) {
      // next batch
    }
    if (this.notificationOptions.sessionEvents) {
      await this.notifications.notify(
        userId,
        NotificationTypes.reauthRequired,
        { reason: 'permissions_changed' },
        { dedupeKey: `authz:${authzVersion}` },
      );
    }
    const now = this.clock.now();
    const finished = await this.changes.update(
      { userId, authzVersion, state: In(['pending', 'failed']) },
      { state: 'done', finishedAt: now, error: null },
    );
    if (!finished.affected) return 'already_done';
    const { markedSessions } = await this.changes.findOneByOrFail({ userId, authzVersion });
    await this.events.emit({
      type: 'permissions.reauth_marked',
      userId,
      actor: change.actor,
      outcome: 'success',
      details: { authzVersion, reason: change.reason, markedSessions },
    });
    return 'done';
  }

  /** Records that the job of a change failed for good (its tries are spent). */
  async markFailed({ userId, authzVersion }: PermissionChangeJobData, error: unknown) {
    const message = String((error as Error)?.message ?? error).slice(0, 512);
    this.logger.error(`permission change ${userId}@${authzVersion} failed: ${message}`);
    await this.changes.update(
      { userId, authzVersion, state: 'pending' },
      { state: 'failed', error: message, finishedAt: this.clock.now() },
    );
  }

  /** One transaction: up to `batchSize` unmarked rows marked and counted. `false` when none left. */
  private markBatch(change: PermissionChangeEntity): Promise<boolean> {
    return serialTransaction(this.dataSource, async (manager) => {
      const now = this.clock.now();
      const live = {
        userId: change.userId,
        authzVersion: LessThan(change.authzVersion),
        revokedAt: IsNull(),
        reauthRequiredAt: IsNull(),
        absoluteExpiresAt: MoreThan(now),
      };
      const rows = await manager.getRepository(SessionEntity).find({
        select: { id: true },
        where: live,
        order: { id: 'ASC' },
        take: this.options.batchSize,
      });
      if (rows.length === 0) return false;
      const marked = await manager
        .getRepository(SessionEntity)
        .update({ ...live, id: In(rows.map((r) => r.id)) }, { reauthRequiredAt: change.changedAt });
      await manager
        .createQueryBuilder()
        .update(PermissionChangeEntity)
        .set({ markedSessions: () => `"markedSessions" + ${Number(marked.affected ?? 0)}` })
        .where('"userId" = :userId AND "authzVersion" = :v', {
          userId: change.userId,
          v: change.authzVersion,
        })
        .execute();
      return true;
    });
  }
}
