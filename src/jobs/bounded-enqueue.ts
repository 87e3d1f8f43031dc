/**
 * Longest wait, in ms, for a queue to accept a job before the caller answers `deferred`. The job
 * row is already stored by then, so the reconciler queues it once the queue answers again.
 */
export const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Whether a job reached its queue: `queued`, or `deferred` (the queue did not answer in time or
 * refused; the database row stays the truth and the reconciler queues it later).
 *
 * @example const outcome: EnqueueOutcome = 'deferred';
 */
export type EnqueueOutcome = 'queued' | 'deferred';

/** What {@link enqueueWithin} saw: the outcome and, when deferred, why. */
export interface EnqueueResult {
  outcome: EnqueueOutcome;
  error: Error | null;
}

/**
 * Runs `add` but waits at most `timeoutMs` for it: a queue on a frozen or absent Redis never
 * holds up the caller. A late answer (or a late failure) is ignored; queueing is idempotent by
 * job id, so an add that lands later does no harm.
 *
 * @example
 * const { outcome } = await enqueueWithin(() => queue.add(jobId));
 * if (outcome === 'deferred') reconciler.requestFullPass();
 */
export async function enqueueWithin(
  add: () => Promise<unknown>,
  timeoutMs = ENQUEUE_TIMEOUT_MS,
): Promise<EnqueueResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<EnqueueResult>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          outcome: 'deferred',
          error: new Error(`queue did not answer in ${timeoutMs} ms`),
        }),
      timeoutMs,
    );
  });
  const work = Promise.resolve()
    .then(add)
    .then(
      (): EnqueueResult => ({ outcome: 'queued', error: null }),
      (error: unknown): EnqueueResult => ({
        outcome: 'deferred',
        error: error instanceof Error ? error : new Error(String(error)),
      }),
    );
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
