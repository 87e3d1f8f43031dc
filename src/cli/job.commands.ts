import type { INestApplicationContext } from '@nestjs/common';
import cliProgress from 'cli-progress';
import {
  BulkRevocationService,
  type RevocationJobStatus,
} from '../revocation/bulk/bulk-revocation.service.js';
import { CliExit, confirmOrExit, EXIT, print, say, table } from './cli-io.js';
import type { CliRun } from './revoke.command.js';

/** `jobs`: the most recent revocation jobs, newest first. */
export async function jobsCommand(
  context: INestApplicationContext,
  limit: number,
  run: CliRun,
): Promise<number> {
  const jobs = await context.get(BulkRevocationService).list(limit);
  if (run.json) print(jobs);
  else if (jobs.length === 0) say('no revocation jobs');
  else {
    say(
      ...table(
        ['JOB', 'STATE', 'PROGRESS', 'REVOKED', 'MATCHED', 'ACTOR', 'CREATED', 'REASON'],
        jobs.map((j) => [
          j.jobId,
          j.state,
          `${j.progress}%`,
          j.revoked,
          j.matched,
          j.actor,
          j.createdAt,
          j.reason,
        ]),
      ),
    );
  }
  return EXIT.ok;
}

/**
 * `job <id> [--follow]`: one job; with `--follow`, a progress bar (left on screen) until it
 * ends. Exit 1 if it failed, 2 for an unknown id.
 */
export async function jobCommand(
  context: INestApplicationContext,
  jobId: string,
  { follow, intervalMs = 500 }: { follow: boolean; intervalMs?: number },
  run: CliRun,
): Promise<number> {
  const bulk = context.get(BulkRevocationService);
  let status = await bulk.status(jobId);
  if (!status) throw new CliExit(EXIT.usage, `job ${jobId}: not found`);
  if (follow) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'revoking [{bar}] {percentage}% | {revoked}/{matched} | {state}',
        stream: process.stderr,
        stopOnComplete: false,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const fields = (s: RevocationJobStatus) => ({
      revoked: s.revoked,
      matched: s.matched,
      state: s.state,
    });
    bar.start(100, status.progress, fields(status));
    while (status.state === 'waiting' || status.state === 'active') {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      status = (await bulk.status(jobId)) ?? status;
      bar.update(status.progress, fields(status));
    }
    bar.stop();
  }
  if (run.json) print(status);
  else say(...statusLines(status));
  return status.state === 'failed' ? EXIT.failed : EXIT.ok;
}

/**
 * `cancel <id>`: asks (unless `--yes`), then stops a waiting or running job after its current
 * batch; sessions already revoked stay revoked. Exit 1 when the job had already ended, 2 for an
 * unknown id. The cancel is audited with the operator as actor.
 */
export async function cancelCommand(
  context: INestApplicationContext,
  jobId: string,
  flags: { yes?: boolean },
  run: CliRun,
): Promise<number> {
  const bulk = context.get(BulkRevocationService);
  const before = await bulk.status(jobId);
  if (!before) throw new CliExit(EXIT.usage, `job ${jobId}: not found`);
  if (before.state !== 'waiting' && before.state !== 'active') {
    throw new CliExit(EXIT.failed, `job ${jobId} is already ${before.state}; nothing to cancel`);
  }
  await confirmOrExit(
    `Cancel job ${jobId} (${before.revoked} of ${before.matched} sessions revoked so far)?`,
    flags.yes,
    'cancel',
  );
  const after = (await bulk.cancel(jobId, run.actor)) ?? before;
  if (after.state !== 'cancelled') {
    throw new CliExit(
      EXIT.failed,
      `job ${jobId} ended as ${after.state} before it could be cancelled`,
    );
  }
  if (run.json) print(after);
  else
    say(
      `job ${jobId} cancelled by ${run.actor}: ${after.revoked} of ${after.matched} sessions had been revoked`,
    );
  return EXIT.ok;
}

function statusLines(s: RevocationJobStatus): string[] {
  return [
    `job:      ${s.jobId}`,
    `state:    ${s.state} (${s.progress}%)`,
    `revoked:  ${s.revoked} of ${s.matched} (effect ${s.effect})`,
    `filter:   ${JSON.stringify(s.filter)}`,
    `reason:   ${s.reason}`,
    `actor:    ${s.actor ?? '-'}`,
    `created:  ${s.createdAt}`,
    `finished: ${s.finishedAt ?? '-'}`,
    ...(s.error ? [`error:    ${s.error}`] : []),
  ];
}
