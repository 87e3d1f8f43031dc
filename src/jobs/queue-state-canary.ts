import type Bull from 'bull';
import { ENQUEUE_TIMEOUT_MS } from './bounded-enqueue.js';

/**
 * What {@link queueStateLost} saw: `lost` (the marker was gone: Redis was flushed, restarted
 * empty or this is the queue's first check), `kept`, or `unreachable` (no answer in time).
 */
export type QueueStateCheck = 'lost' | 'kept' | 'unreachable';

/**
 * Detects that a Bull queue's Redis lost its data, cheaply: it sets a marker key beside the
 * queue's own keys (same prefix, so the same hash slot as the queue) if it is absent, in one
 * `SET NX`. Finding it absent means every job the queue held may be gone, so the caller rescans
 * its database rows. Waits at most `timeoutMs`.
 *
 * @example if ((await queueStateLost(queue)) === 'lost') await requeueEverythingPending();
 */
export async function queueStateLost(
  queue: Bull.Queue,
  timeoutMs = ENQUEUE_TIMEOUT_MS,
): Promise<QueueStateCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<QueueStateCheck>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), timeoutMs);
  });
  const check = queue.client
    .set(queue.toKey('reconciled'), String(Date.now()), 'NX')
    .then((set): QueueStateCheck => (set === 'OK' ? 'lost' : 'kept'))
    .catch((): QueueStateCheck => 'unreachable');
  try {
    return await Promise.race([check, late]);
  } finally {
    clearTimeout(timer);
  }
}
