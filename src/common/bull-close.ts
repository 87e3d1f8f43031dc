import type Bull from 'bull';
import type { Redis } from 'ioredis';
import { closeRedis } from './redis-connection.js';

/** How often a closing queue checks that Redis still answers (ms). */
const CHECK_EVERY_MS = 500;
/** How long that check waits for `PING` (ms). */
const PING_WAIT_MS = 250;

/** Closings under way or done, so a queue registered under two tokens is closed once. */
const closings = new WeakMap<Bull.Queue, Promise<void>>();

/**
 * Closes a Bull queue without hanging on Redis and without throwing. Bull's own `close()` waits
 * for the queue to be ready (forever while Redis is down or frozen) and rejects when a connection
 * errors while it quits. This waits for it as long as Redis keeps answering a `PING` every
 * `CHECK_EVERY_MS` (so an active job still finishes), and drops the queue's connections as soon
 * as Redis does not answer: within `PING_WAIT_MS` (0.25 s) with Redis down or frozen.
 *
 * @example await closeBullQueue(queue);
 */
export function closeBullQueue(queue: Bull.Queue): Promise<void> {
  let closing = closings.get(queue);
  if (!closing) {
    closing = closeWhileAnswering(queue);
    closings.set(queue, closing);
  }
  return closing;
}

async function closeWhileAnswering(queue: Bull.Queue): Promise<void> {
  const clients = (): Redis[] => (queue as unknown as { clients?: Redis[] }).clients ?? [];
  for (const client of clients()) client.on('error', () => undefined);
  const closed = queue.close().then(
    () => 'closed' as const,
    () => 'failed' as const,
  );
  for (;;) {
    const answering = await answers(clients()[0]);
    const outcome = await Promise.race([
      closed,
      after(answering ? CHECK_EVERY_MS : 0, 'check' as const),
    ]);
    if (outcome === 'closed') return;
    if (outcome === 'failed' || !answering) break;
  }
  await Promise.all(clients().map((client) => closeRedis(client, 0)));
}

/**
 * Makes Nest's shutdown of a queue registered with `BullModule.registerQueue` use
 * {@link closeBullQueue} instead of Bull's `close()`, and returns the queue. The promise of
 * `process()` (which the Bull module drops) gets a handler: it rejects when the connections are
 * dropped before the queue was ready, and errors while running reach the queue's `'error'` event.
 *
 * @example useFactory: (queue: Bull.Queue) => withBoundedShutdown(queue)
 */
export function withBoundedShutdown<Q extends Bull.Queue>(queue: Q): Q {
  const process = queue.process.bind(queue) as (...args: unknown[]) => Promise<void>;
  Object.assign(queue, {
    onApplicationShutdown: () => closeBullQueue(queue),
    process: (...args: unknown[]) => {
      const running = process(...args);
      running.catch(() => undefined);
      return running;
    },
  });
  return queue;
}

async function answers(client: Redis | undefined): Promise<boolean> {
  if (!client || client.status !== 'ready') return false;
  const pong = client.ping().then(
    () => true,
    () => false,
  );
  return Promise.race([pong, after(PING_WAIT_MS, false)]);
}

function after<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
