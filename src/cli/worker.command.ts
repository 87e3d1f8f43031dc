import type { INestApplicationContext } from '@nestjs/common';
import { SESSION_SECURITY_REDIS } from '../common/tokens.js';
import { CliExit, EXIT } from './cli-io.js';

/**
 * `session-security worker`: the context was booted with `worker: true`, so every Bull queue of
 * the module (bulk revocations, notifications, and any other) is processed here until SIGINT or
 * SIGTERM; then the context closes, letting the running job finish its current step. Refuses
 * (exit 2) without Redis: in single-instance mode jobs run inside the app process.
 *
 * @example
 * // REDIS_URL=redis://127.0.0.1:6379 DATABASE_URL=postgres://… session-security worker
 * await workerCommand(context);
 */
export async function workerCommand(
  context: INestApplicationContext,
  stop: Promise<void> = signalled(),
): Promise<number> {
  if (!context.get(SESSION_SECURITY_REDIS, { strict: false })) {
    throw new CliExit(
      EXIT.usage,
      'worker: no Redis answers at REDIS_URL; without Redis, jobs run inside the app process',
    );
  }
  process.stderr.write('session-security worker running (all queues); Ctrl-C to stop\n');
  await stop;
  return EXIT.ok;
}

function signalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
