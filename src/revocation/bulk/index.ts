export { BulkRevocationService } from './bulk-revocation.service.js';
export type {
  RevocationDryRun,
  RevocationStarted,
  RevocationStartOptions,
  RevocationJobStatus,
} from './bulk-revocation.service.js';
export { bulkRevocationProviders } from './bulk-revocation.providers.js';
export { RevocationJobReconciler } from './revocation-job.reconciler.js';
export { IdempotencyKeyReusedError, parseIdempotencyKey } from './revocation-idempotency.js';
export {
  REVOCATION_QUEUE,
  REVOCATION_JOB_NAME,
  BULK_REVOCATION_OPTIONS,
  REVOCATION_JOB_QUEUE,
  resolveBulkRevocationOptions,
} from './bulk-revocation.options.js';
export type {
  BulkRevocationOptions,
  ResolvedBulkRevocationOptions,
} from './bulk-revocation.options.js';
export {
  parseRevocationFilter,
  parseRevocationRequest,
  RevocationFilterError,
} from './revocation-filter.js';
export type { RevocationFilter, RevocationRequest } from './revocation-filter.js';
export { planRevocation, MAX_USER_MARKERS } from './revocation-plan.js';
export type { RevocationEffect, RevocationPlan } from './revocation-plan.js';
export { RevocationJobEntity } from './revocation-job.entity.js';
export type { RevocationJobState } from './revocation-job.entity.js';
export { RevocationJobProcessor, percentOf } from './revocation-job.processor.js';
export type { RevocationRunOutcome } from './revocation-job.processor.js';
export { InlineRevocationQueue } from './revocation-queue.js';
export { BullRevocationQueue } from './bull-revocation.queue.js';
export type { RevocationJobQueue, RevocationRetry } from './revocation-queue.js';
export { RevocationBatchEffects } from './revocation-batch-effects.js';
export { SessionMatcher } from './session-matcher.js';
export type { MatchedSession } from './session-matcher.js';
export {
  SessionRevocationsController,
  InvalidRevocationFilterException,
  RevocationJobNotFoundException,
} from './session-revocations.controller.js';
