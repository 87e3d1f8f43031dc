import type Bull from 'bull';

/** The options of `add()` that both adapters honour (a subset of Bull's `JobOptions`). */
export interface JobOptions {
  /** Deterministic id: adding the same id again while it is queued or running is a no-op. */
  jobId?: string;
  /** Tries in all, the first included (default 1). */
  attempts?: number;
  /** Delay before retry `n` (from 1): `delay` for `fixed`, `delay * 2^(n-1)` for `exponential`. */
  backoff?: { type: 'fixed' | 'exponential'; delay: number };
  removeOnComplete?: boolean | number;
  removeOnFail?: boolean | number;
}

/** One try of a job, as a handler sees it on either adapter. */
export interface JobRun<T> {
  id: string;
  name: string;
  data: T;
  /** Failed tries before this one (0 on the first). */
  attemptsMade: number;
  /** Tries in all this job may take. */
  attempts: number;
  /** Replaces the job's data; later tries (retries) see it. */
  update(data: T): Promise<void>;
  /** Reports progress (0-100) where the queue shows it (Bull); a no-op in process. */
  progress(percent: number): Promise<void>;
}

/** Runs one try; throwing makes the queue retry with the job's backoff until attempts are spent. */
export type JobHandler<T> = (run: JobRun<T>) => Promise<unknown>;

/**
 * The one queue port of the module: a Bull queue on the module's Redis, or an in-process queue
 * when the module has none. Notifications, permission changes, bulk revocation and audit
 * retention all queue through it.
 *
 * @example
 * const queue = jobQueues.open({ name: 'session-security-notifications', handler });
 * await queue.add('deliver', { notificationId, channel }, { jobId: `${notificationId}:${channel}` });
 */
export interface JobQueue<T> {
  /** The queue name (`session-security-…`). */
  readonly name: string;
  add(name: string, data: T, options?: JobOptions): Promise<{ id: string }>;
  /**
   * Jobs this process holds, queued or running (in process; Bull keeps them in Redis and has
   * none). Re-queueing a backlog waits while it is high, so memory stays bounded.
   */
  readonly inFlight?: number;
  /** In process: whether a job of this id is queued or running here (Bull: see its `getJob`). */
  holds?(jobId: string): boolean;
  /** The Bull queue behind this one, or `null` in process. */
  readonly bull: Bull.Queue<T> | null;
  /** Resolves when no job runs in this process (in process; Bull: at once). */
  whenIdle(): Promise<void>;
  /** Stops processing and closes connections; bounded while Redis is down or frozen. */
  close(): Promise<void>;
}

/**
 * Waits (polling, stopped by `signal`) until an in-process queue holds fewer than `limit` jobs;
 * returns at once for a Bull queue.
 *
 * @example await belowLimit(queue, 500, signal);
 */
export async function belowLimit(
  queue: Pick<JobQueue<unknown>, 'inFlight'>,
  limit: number,
  signal: { readonly stopped: boolean },
): Promise<void> {
  while ((queue.inFlight ?? 0) >= limit && !signal.stopped) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The DI token under which a module queue's Bull queue is also provided (`null` in process); the
 * same string as `getQueueToken(name)` of `@nestjs/bull`, so `@InjectQueue(name)` finds it too.
 *
 * @example @Inject(jobQueueToken('session-security-revocations')) queue: Bull.Queue | null
 */
export function jobQueueToken(name: string): string {
  return `BullQueue_${name}`;
}
