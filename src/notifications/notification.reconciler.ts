import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import Bull from 'bull';
import { queueStateLost } from '../jobs/queue-state-canary.js';
import {
  DEFAULT_RECONCILE_INTERVAL_MS,
  JOB_RECONCILE_INTERVAL,
  ReconcileLoop,
  type ReconcileSignal,
} from '../jobs/reconcile-loop.js';
import type { NotificationJobQueue } from '../common/job-queue.interface.js';
import { NOTIFICATION_JOB_QUEUE } from './notification-options.js';
import { NotificationService } from './notification.service.js';

/**
 * Keeps every unfinished notification delivery on its queue, in the background: the app never
 * waits for it at startup (a backlog of 270,000 pending deliveries no longer delays `listen`),
 * and `close()` stops it between batches. A pass queues every outstanding delivery again, in
 * batches of 500, when something may have lost them: the first pass after start (jobs of the
 * in-process queue die with the process; a crash may fall between commit and queueing), a pass
 * after a `notify()` whose queueing was deferred, and a pass after the Bull queue's Redis lost
 * its data (a marker key beside the queue is gone). Otherwise a pass costs one Redis command.
 * Passes run every reconcile interval (default 15 s); a pass cut short is finished by the next.
 *
 * @example
 * providers: [...notificationProviders()] // includes it
 */
@Injectable()
export class NotificationReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityNotifications');
  /** The background loop (its `passes` count is what tests and health checks can watch). */
  readonly loop: ReconcileLoop;
  private rescanNeeded = true;
  private requeuedTotal = 0;

  constructor(
    private readonly notifications: NotificationService,
    @Inject(NOTIFICATION_JOB_QUEUE) private readonly queue: NotificationJobQueue,
    @Optional() @Inject(JOB_RECONCILE_INTERVAL) intervalMs?: number,
  ) {
    this.loop = new ReconcileLoop(
      'notification deliveries',
      intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
      (signal) => this.pass(signal),
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

  private async pass(signal: ReconcileSignal): Promise<void> {
    if (this.queue instanceof Bull) {
      const state = await queueStateLost(this.queue);
      if (state === 'unreachable') return;
      if (state === 'lost') this.rescanNeeded = true;
    }
    if (this.notifications.takeDeferred()) this.rescanNeeded = true;
    if (!this.rescanNeeded) return;
    const { requeued, complete } = await this.notifications.requeueOutstanding(signal);
    this.requeuedTotal += requeued;
    if (complete) this.rescanNeeded = false;
    if (requeued > 0)
      this.logger.log(`queued ${requeued} unfinished notification deliveries again`);
  }
}
