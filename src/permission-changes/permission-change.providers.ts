import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import { jobQueueToken } from '../jobs/job-queue.js';
import { JobQueues } from '../jobs/job-queues.js';
import { lostJobRescan } from '../jobs/lost-job-rescan.js';
import {
  DEFAULT_RECONCILE_INTERVAL_MS,
  JOB_RECONCILE_INTERVAL,
  ReconcileLoop,
} from '../jobs/reconcile-loop.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { PermissionChangeLog } from '../revocation/permission-change-log.port.js';
import { RevocationService } from '../revocation/revocation.service.js';
import {
  PERMISSION_CHANGE_OPTIONS,
  PERMISSION_CHANGE_QUEUE,
  type ResolvedPermissionChangeOptions,
} from './permission-change.options.js';
import { PermissionChangeProcessor } from './permission-change.processor.js';
import { PermissionChangeQueue } from './permission-change.queue.js';
import { PermissionChangeRecorder } from './permission-change.recorder.js';
import { PermissionChangeSubscriber } from './permission-change.subscriber.js';
import { PermissionChangeWatcher } from './permission-change.watcher.js';

/**
 * Starts the feature: registers the {@link PermissionChangeWatcher} on the module's DataSource
 * when `permissionChanges.watch` is set (and removes it on shutdown), and runs the reconciler of
 * permission-change jobs in the background (never awaited at startup, stopped by `close()`):
 * every reconcile interval (default 15 s), a {@link lostJobRescan} queues again every change
 * left `pending` when something may have lost its job.
 *
 * @example providers: [...permissionChangeProviders({})] // includes it
 */
@Injectable()
export class PermissionChangeStartup
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy
{
  private readonly logger = new Logger('SessionSecurityPermissions');
  private watcher: PermissionChangeWatcher | null = null;
  /** The reconciler's background loop (its `passes` count is what tests can watch). */
  readonly loop: ReconcileLoop;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly module: ResolvedOptions,
    @Inject(PERMISSION_CHANGE_OPTIONS) private readonly options: ResolvedPermissionChangeOptions,
    queue: PermissionChangeQueue,
    private readonly revocations: RevocationService,
    @Optional() @Inject(JOB_RECONCILE_INTERVAL) intervalMs?: number,
  ) {
    const pass = lostJobRescan({
      queue: queue.jobs,
      takeDeferred: () => queue.takeDeferred(),
      rescan: (signal) => queue.resumePending(signal),
      requeued: (count) => this.logger.log(`queued ${count} unfinished permission changes again`),
    });
    this.loop = new ReconcileLoop(
      'permission changes',
      intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
      pass,
      'SessionSecurityPermissions',
    );
  }

  onModuleInit(): void {
    if (this.options.watch.length === 0) return;
    this.watcher = new PermissionChangeWatcher(this.options.watch, (userId, reason) =>
      this.revocations.permissionsChanged(userId, { reason, actor: null }),
    );
    this.module.dataSource.subscribers.push(this.watcher);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  onModuleDestroy(): void {
    const subscribers = this.module.dataSource.subscribers;
    const at = this.watcher ? subscribers.indexOf(this.watcher) : -1;
    if (at >= 0) subscribers.splice(at, 1);
  }
}

/**
 * Providers of the permission-change bookkeeping, for `SessionSecurityModule` (which provides
 * `RESOLVED_OPTIONS`, the DataSource, `Clock`, `SessionEvents`, `NotificationService` and
 * `RevocationService`). `permissionChanges` module options are checked by the options pipeline; with
 * `worker: false` this process only queues jobs and another one processes them.
 *
 * @example
 * providers: [...coreProviders, ...permissionChangeProviders(extras)]
 */
export function permissionChangeProviders(extras: { worker?: boolean }): Provider[] {
  const worker = extras.worker ?? true;
  return [
    {
      provide: PERMISSION_CHANGE_OPTIONS,
      inject: [RESOLVED_OPTIONS],
      useFactory: (o: ResolvedOptions) => o.permissionChanges,
    },
    PermissionChangeProcessor,
    {
      provide: PermissionChangeQueue,
      inject: [RESOLVED_OPTIONS, JobQueues, PERMISSION_CHANGE_OPTIONS, PermissionChangeProcessor],
      useFactory: (
        o: ResolvedOptions,
        queues: JobQueues,
        options: ResolvedPermissionChangeOptions,
        processor: PermissionChangeProcessor,
      ) => PermissionChangeQueue.create(queues, o.dataSource, options, processor, worker),
    },
    {
      // The Bull queue itself under the usual token (`@InjectQueue`, the queue dashboard).
      provide: jobQueueToken(PERMISSION_CHANGE_QUEUE),
      inject: [PermissionChangeQueue],
      useFactory: ({ jobs }: PermissionChangeQueue) => jobs.bull,
    },
    PermissionChangeStartup,
    { provide: PermissionChangeLog, useClass: PermissionChangeRecorder },
    PermissionChangeSubscriber,
  ];
}
