import type { JobQueue } from './job-queue.js';
import { queueStateLost } from './queue-state-canary.js';
import type { ReconcileSignal } from './reconcile-loop.js';

/** What a feature's reconciler gives {@link lostJobRescan}. */
export interface LostJobRescanSpec {
  /** The feature's queue: on Bull, its canary tells when Redis lost the queue's data. */
  queue: Pick<JobQueue<unknown>, 'bull'>;
  /** Whether an enqueue was deferred since the last call (and resets it). */
  takeDeferred(): boolean;
  /** Queues again every unfinished row of the database; `complete: false` when cut short. */
  rescan(signal: ReconcileSignal): Promise<{ requeued: number; complete: boolean }>;
  /** Told how many jobs a pass queued again (when any). */
  requeued?(count: number): void;
}

/**
 * The pass of a reconcile loop that keeps a feature's unfinished rows on its queue: it rescans
 * the database when something may have lost their jobs — the first pass after start (in-process
 * jobs die with the process; a crash may fall between commit and queueing), a pass after an
 * enqueue was deferred, and a pass after the Bull queue's Redis lost its data (its marker key is
 * gone) — and until a rescan gets through. Otherwise a pass costs one Redis command (none in
 * process); a Redis that does not answer skips the pass.
 *
 * @example new ReconcileLoop('notification deliveries', 15_000, lostJobRescan({ queue, takeDeferred, rescan }))
 */
export function lostJobRescan(spec: LostJobRescanSpec): (signal: ReconcileSignal) => Promise<void> {
  let rescanNeeded = true;
  return async (signal) => {
    if (spec.queue.bull) {
      const state = await queueStateLost(spec.queue.bull);
      if (state === 'unreachable') return;
      if (state === 'lost') rescanNeeded = true;
    }
    if (spec.takeDeferred()) rescanNeeded = true;
    if (!rescanNeeded) return;
    const { requeued, complete } = await spec.rescan(signal);
    if (complete) rescanNeeded = false;
    if (requeued > 0) spec.requeued?.(requeued);
  };
}
