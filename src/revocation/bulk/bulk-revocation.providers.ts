import type { Provider } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { RESOLVED_OPTIONS } from '../../common/tokens.js';
import type { ResolvedOptions } from '../../options/resolved-options.js';
import {
  BULK_REVOCATION_OPTIONS,
  REVOCATION_JOB_QUEUE,
  REVOCATION_QUEUE,
  type ResolvedBulkRevocationOptions,
} from './bulk-revocation.options.js';
import { BulkRevocationService } from './bulk-revocation.service.js';
import { RevocationBatchEffects } from './revocation-batch-effects.js';
import { RevocationJobProcessor } from './revocation-job.processor.js';
import { RevocationJobReconciler } from './revocation-job.reconciler.js';
import { BullRevocationQueue } from './bull-revocation.queue.js';
import { InlineRevocationQueue } from './revocation-queue.js';

/**
 * Providers of bulk revocation, for the module that provides `RESOLVED_OPTIONS`,
 * `SESSION_SECURITY_DATA_SOURCE`, `Clock`, `SessionStore`, `SessionEvents` and
 * `RevocationService` (i.e. inside `SessionSecurityModule`). With Redis, jobs go to the Bull
 * queue `session-security-revocations` under `<redisKeyPrefix>bull`; without, they run in
 * process. The options come resolved by the options pipeline (`resolveStaticOptions`).
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
      inject: [RESOLVED_OPTIONS, RevocationJobProcessor],
      useFactory: (o: ResolvedOptions, processor: RevocationJobProcessor) => {
        const retry = {
          attempts: resolved.attempts,
          backoffMs: resolved.backoffMs,
          stalledAfterMs: resolved.stalledAfterMs,
        };
        const queue = resolved.queue ?? (o.redis ? 'bull' : 'inline');
        if (queue === 'bull') {
          if (!o.redis) throw new Error("bulk revocation: queue 'bull' needs the module's redis");
          const prefix = resolved.queuePrefix ?? `${o.redisKeyPrefix}bull`;
          return new BullRevocationQueue(o.redis, prefix, processor, retry, resolved.worker);
        }
        return new InlineRevocationQueue(processor, retry);
      },
    },
    {
      // The Bull queue itself under the usual token (`@InjectQueue`, the queue dashboard).
      provide: getQueueToken(REVOCATION_QUEUE),
      inject: [REVOCATION_JOB_QUEUE],
      useFactory: (queue: unknown) => (queue instanceof BullRevocationQueue ? queue.queue : null),
    },
    BulkRevocationService,
    RevocationJobReconciler,
  ];
}
