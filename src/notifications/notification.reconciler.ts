import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { JobQueue } from '../jobs/job-queue.js';
import { lostJobRescan } from '../jobs/lost-job-rescan.js';
import {
  DEFAULT_RECONCILE_INTERVAL_MS,
  JOB_RECONCILE_INTERVAL,
  ReconcileLoop,
} from '../jobs/reconcile-loop.js';
import type { NotificationJobData } from './notification-job.js';
import { NOTIFICATION_JOB_QUEUE } from './notification-options.js';
import { NotificationBatchService } from './notification-batch.service.js';
import { NotificationService } from './notification.service.js';

/**
 * Keeps every unfinished notification delivery on its queue, in the background: the app never
 * waits for it at startup (a backlog of 270,000 pending deliveries does not delay `listen`), and
 * `close()` stops it between batches. Each pass is a {@link lostJobRescan}: it queues every
 * outstanding delivery again, in batches of 500, when something may have lost them. Passes run
 * every reconcile interval (default 15 s); a pass cut short is finished by the next.
 *
 * @example
 * providers: [...notificationProviders()] // includes it
 */
@Injectable()
export class NotificationReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityNotifications');
  /** The background loop (its `passes` count is what tests and health checks can watch). */
  readonly loop: ReconcileLoop;
  private requeuedTotal = 0;

  constructor(
    notifications: NotificationService,
    batch: NotificationBatchService,
    @Inject(NOTIFICATION_JOB_QUEUE) queue: JobQueue<NotificationJobData>,
    @Optional() @Inject(JOB_RECONCILE_INTERVAL) intervalMs?: number,
  ) {
    const pass = lostJobRescan({
      queue,
      // Both flags are read (and reset) on every pass.
      takeDeferred: () => [notifications.takeDeferred(), batch.takeDeferred()].includes(true),
      rescan: (signal) => notifications.requeueOutstanding(signal),
      requeued: (count) => {
        this.requeuedTotal += count;
        this.logger.log(`queued ${count} unfinished notification deliveries again`);
      },
    });
    this.loop = new ReconcileLoop(
      'notification deliveries',
      intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
      pass,
      'SessionSecurityNotifications',
    );
  }

  /** Deliveries queued again since the app started. */
  get requeued(): number {
    return this.requeuedTotal;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
