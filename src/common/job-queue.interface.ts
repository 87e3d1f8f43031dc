/** The data of one delivery job: which notification, through which channel. */
export interface NotificationJobData {
  notificationId: string;
  channel: string;
}

/** The options of `add()` that both a Bull queue and an `InlineQueue` honour. */
export interface NotificationJobOptions {
  /** Deterministic id (`<notificationId>:<channel>`): adding the same id again while it is queued is a no-op. */
  jobId?: string;
  /** Tries in all, the first included (default 1). */
  attempts?: number;
  /** Delay before retry `n` (from 1): `delay` for `fixed`, `delay * 2^(n-1)` for `exponential`. */
  backoff?: { type: 'fixed' | 'exponential'; delay: number };
  removeOnComplete?: boolean | number;
  removeOnFail?: boolean | number;
}

/**
 * The part of a Bull `Queue` that `NotificationService` uses, so a Bull queue and an `InlineQueue`
 * are interchangeable.
 *
 * @example
 * await queue.add('deliver', { notificationId, channel }, { jobId: `${notificationId}:${channel}` });
 */
export interface NotificationJobQueue<T = NotificationJobData> {
  add(name: string, data: T, options?: NotificationJobOptions): Promise<unknown>;
  /**
   * Jobs this process holds, queued or running (an `InlineQueue`; a Bull queue keeps them in
   * Redis and has none). Re-queueing a backlog waits while it is high, so memory stays bounded.
   */
  readonly inFlight?: number;
}

/**
 * Waits (polling, stopped by `signal`) until an in-process queue holds fewer than `limit` jobs;
 * returns at once for a Bull queue.
 *
 * @example await belowLimit(queue, 500, signal);
 */
export async function belowLimit(
  queue: Pick<NotificationJobQueue<unknown>, 'inFlight'>,
  limit: number,
  signal: { readonly stopped: boolean },
): Promise<void> {
  while ((queue.inFlight ?? 0) >= limit && !signal.stopped) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
