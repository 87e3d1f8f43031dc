import type { Provider } from '@nestjs/common';
import { JobQueues } from '../../jobs/job-queues.js';
import {
  BULK_REVOCATION_OPTIONS,
  REVOCATION_JOB_QUEUE,
  type ResolvedBulkRevocationOptions,
} from './bulk-revocation.options.js';
import { BulkRevocationService } from './bulk-revocation.service.js';
import { RevocationBatchEffects } from './revocation-batch-effects.js';
import { RevocationJobProcessor } from './revocation-job.processor.js';
import { RevocationJobReconciler } from './revocation-job.reconciler.js';
import { RevocationJobQueue } from './revocation-queue.js';

/**
 * Providers of bulk revocation, for the module that provides `RESOLVED_OPTIONS`,
 * `SESSION_SECURITY_DATA_SOURCE`, `Clock`, `JobQueues`, `SessionStore`, `SessionEvents` and
 * `RevocationService` (i.e. inside `SessionSecurityModule`). Jobs go to the queue
 * `session-security-revocations` of the module's `JobQueues` (Bull with Redis, in process
 * without). The options come resolved by the options pipeline (`resolveStaticOptions`).
 *
 * @example
 * providers: [...coreProviders, ...bulkRevocationProviders(resolveBulkRevocationOptions({ batchSize: 5000 }))]
 */
export function bulkRevocationProviders(resolved: ResolvedBulkRevocationOptions): Provider[] {
  return [
    { provide: BULK_REVOCATION_OPTIONS, useValue: resolved },
    RevocationBatchEffects,
    RevocationJobProcessor,
    {
      provide: REVOCATION_JOB_QUEUE,
      inject: [JobQueues, RevocationJobProcessor],
      useFactory: (queues: JobQueues, processor: RevocationJobProcessor) =>
        RevocationJobQueue.open(queues, processor, resolved, resolved.worker),
    },
    {
      // The Bull queue itself under the usual token (`@InjectQueue`, the queue dashboard).
      provide: RevocationJobQueue.token,
      inject: [REVOCATION_JOB_QUEUE],
      useFactory: (queue: RevocationJobQueue) => queue.jobs.bull,
    },
    BulkRevocationService,
    RevocationJobReconciler,
  ];
}
