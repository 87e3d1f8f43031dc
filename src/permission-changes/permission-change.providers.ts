import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { BullJobQueue } from '../common/bull-job-queue.js';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { RevocationService } from '../revocation/revocation.service.js';
import {
  PERMISSION_CHANGE_OPTIONS,
  PERMISSION_CHANGE_QUEUE,
  type ResolvedPermissionChangeOptions,
} from './permission-change.options.js';
import { PermissionChangeProcessor } from './permission-change.processor.js';
import { PermissionChangeQueue } from './permission-change.queue.js';
import { PermissionChangeWatcher } from './permission-change.watcher.js';

/**
 * Starts the feature: registers the {@link PermissionChangeWatcher} on the module's DataSource
 * when `permissionChanges.watch` is set (and removes it on shutdown), and, where jobs are
 * processed, queues again every change left `pending` by a crash or a restart.
 *
 * @example providers: [...permissionChangeProviders({})] // includes it
 */
@Injectable()
export class PermissionChangeStartup
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger('SessionSecurityPermissions');
  private watcher: PermissionChangeWatcher | null = null;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly module: ResolvedOptions,
    @Inject(PERMISSION_CHANGE_OPTIONS) private readonly options: ResolvedPermissionChangeOptions,
    private readonly queue: PermissionChangeQueue,
    private readonly revocations: RevocationService,
  ) {}

  onModuleInit(): void {
    if (this.options.watch.length === 0) return;
    this.watcher = new PermissionChangeWatcher(this.options.watch, (userId, reason) =>
      this.revocations.permissionsChanged(userId, { reason, actor: null }),
    );
    this.module.dataSource.subscribers.push(this.watcher);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.queue.worker) return;
    try {
      const count = await this.queue.resumePending();
      if (count > 0) this.logger.log(`queued ${count} unfinished permission changes again`);
    } catch (error) {
      this.logger.warn(
        `could not queue unfinished permission changes: ${(error as Error).message}`,
      );
    }
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
  ];
}
