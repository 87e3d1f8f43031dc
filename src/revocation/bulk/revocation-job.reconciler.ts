import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  DEFAULT_RECONCILE_INTERVAL_MS,
  JOB_RECONCILE_INTERVAL,
  ReconcileLoop,
} from '../../jobs/reconcile-loop.js';
import {
  BULK_REVOCATION_OPTIONS,
  type ResolvedBulkRevocationOptions,
} from './bulk-revocation.options.js';
import { BulkRevocationService } from './bulk-revocation.service.js';

/**
 * Keeps every unfinished bulk revocation job on its queue, where jobs are processed: at startup
 * (in the background — the app does not wait for it) and then every reconcile interval (default
 * 15 s), it queues again each job the database says is waiting or active but the queue does not
 * hold — left by a crash, a start deferred while Redis was down, or Redis losing its data
 * mid-job. The resumed run goes on from the job's committed cursor.
 *
 * @example providers: [...bulkRevocationProviders()] // includes it
 */
@Injectable()
export class RevocationJobReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityRevocations');
  /** The background loop (its `passes` count is what tests and health checks can watch). */
  readonly loop: ReconcileLoop;

  constructor(
    private readonly bulk: BulkRevocationService,
    @Inject(BULK_REVOCATION_OPTIONS) private readonly options: ResolvedBulkRevocationOptions,
    @Optional() @Inject(JOB_RECONCILE_INTERVAL) intervalMs?: number,
  ) {
    this.loop = new ReconcileLoop(
      'revocation jobs',
      intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
      async (signal) => {
        const count = await this.bulk.resumeUnfinished(signal);
        if (count > 0) this.logger.log(`resumed ${count} unfinished revocation jobs`);
      },
      'SessionSecurityRevocations',
    );
  }

  onApplicationBootstrap(): void {
    if (this.options.worker) this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
