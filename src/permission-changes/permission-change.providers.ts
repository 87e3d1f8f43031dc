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
import { getQueueToken } from '@nestjs/bull';
import { BullJobQueue } from '../common/bull-job-queue.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import { queueStateLost } from '../jobs/queue-state-canary.js';
import {
  DEFAULT_RECONCILE_INTERVAL_MS,
  JOB_RECONCILE_INTERVAL,
  ReconcileLoop,
  type ReconcileSignal,
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
 * every reconcile interval (default 15 s) it queues again every change left `pending` when
 * something may have lost its job — the first pass after start (a crash or a restart), an
 * enqueue deferred while Redis was down, or the Bull queue's Redis losing its data (a marker key
 * beside the queue is gone). Otherwise a pass costs one Redis command.
 *
 * @example providers: [...permissionChangeProviders({})] // includes it
 */
@Injectable()
export class PermissionChangeStartup
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy
{
  private readonly logger = new Logger('SessionSecurityPermissions');
  private watcher: PermissionChangeWatcher | null = null;
  private rescanNeeded = true;
  /** The reconciler's background loop (its `passes` count is what tests can watch). */
  readonly loop: ReconcileLoop;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly module: ResolvedOptions,
    @Inject(PERMISSION_CHANGE_OPTIONS) private readonly options: ResolvedPermissionChangeOptions,
    private readonly queue: PermissionChangeQueue,
    private readonly revocations: RevocationService,
    @Optional() @Inject(JOB_RECONCILE_INTERVAL) intervalMs?: number,
  ) {
    this.loop = new ReconcileLoop(
      'permission changes',
      intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
      (signal) => this.reconcile(signal),
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

  private async reconcile(signal: ReconcileSignal): Promise<void> {
    const bull = this.queue.bullQueue;
    if (bull) {
      const state = await queueStateLost(bull);
      if (state === 'unreachable') return;
      if (state === 'lost') this.rescanNeeded = true;
    }
    if (this.queue.takeDeferred()) this.rescanNeeded = true;
    if (!this.rescanNeeded) return;
    const { requeued, complete } = await this.queue.resumePending(signal);
    if (complete) this.rescanNeeded = false;
    if (requeued > 0) this.logger.log(`queued ${requeued} unfinished permission changes again`);
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
      inject: [RESOLVED_OPTIONS, PERMISSION_CHANGE_OPTIONS, PermissionChangeProcessor],
      useFactory: (
        o: ResolvedOptions,
        options: ResolvedPermissionChangeOptions,
        processor: PermissionChangeProcessor,
      ) => PermissionChangeQueue.create(o, options, processor, worker),
    },
    {
      // The Bull queue itself under the usual token (`@InjectQueue`, the queue dashboard).
      provide: getQueueToken(PERMISSION_CHANGE_QUEUE),
      inject: [PermissionChangeQueue],
      useFactory: ({ jobs }: PermissionChangeQueue) =>
        jobs instanceof BullJobQueue ? jobs.queue : null,
    },
    PermissionChangeStartup,
    { provide: PermissionChangeLog, useClass: PermissionChangeRecorder },
    PermissionChangeSubscriber,
  ];
}
