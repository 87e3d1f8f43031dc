import type { INestApplicationContext } from '@nestjs/common';
import { SESSION_SECURITY_REDIS } from '../common/tokens.js';
import { CliExit, EXIT } from './cli-io.js';

/**
 * `session-security worker`: the app's module was booted in the `worker` role, so every Bull
 * queue of the module (bulk revocations, notifications, and any other) is processed here, with
 * the app's channels, until SIGINT or SIGTERM; then the context closes, letting the running job
 * finish its current step. Refuses (exit 2) when the app's module has no Redis: in
 * single-instance mode jobs run inside the app process (and `revoke` runs its job itself).
 *
 * @example
 * // session-security --config ./dist/session-security.cli.js worker
 * await workerCommand(context);
 */
export async function workerCommand(
  context: INestApplicationContext,
  stop: Promise<void> = signalled(),
): Promise<number> {
  if (!context.get(SESSION_SECURITY_REDIS, { strict: false })) {
    throw new CliExit(
      EXIT.usage,
      "worker: the app's module has no Redis (redis: false, single-instance mode); its jobs run inside the app process, and revoke runs its job itself — no worker is needed",
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
