import type { AppStack } from './stack.js';

/** How one bulk revocation job ended, from the database (its rows are the truth). */
export interface JobOutcome {
  jobId: string;
  state: string;
  matched: number;
  revoked: number;
  /** Session rows carrying the job's reason, and the job's `session_revoked` notifications. */
  rowsRevoked: number;
  notified: number;
  /** Users of the job's sessions (one notification each per job, the default `notifyPer`). */
  users: number;
  /** Users of the job notified more than once by it, or not at all. */
  notifiedTwice: number;
  notNotified: number;
  /** completed, revoked == matched == rows, one notification per user. */
  exact: boolean;
}

interface JobRow {
  state: string;
  matched: number;
  revoked: number;
  reason: string;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads one job row (state and counts). */
async function jobRow(stack: AppStack, jobId: string): Promise<JobRow | undefined> {
  const [row] = await stack.sql<JobRow>(
    'SELECT state, matched, revoked, reason FROM ss_revocation_job WHERE id = $1',
    [jobId],
  );
  return row && { ...row, matched: Number(row.matched), revoked: Number(row.revoked) };
}

/** Waits until `done` holds for the job row, polling every 100 ms; null when `ms` passed first. */
export async function waitForJob(
  stack: AppStack,
  jobId: string,
  done: (row: { state: string; matched: number; revoked: number }) => boolean,
  ms: number,
): Promise<JobRow | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const row = await jobRow(stack, jobId).catch(() => undefined);
    if (row && done(row)) return row;
    if (Date.now() > deadline) return null;
    await sleep(100);
  }
}

/**
 * Waits (within `ms` for all) until every job reached a final state, then checks each against
 * the database: completed, as many rows revoked as matched, and one `session_revoked`
 * notification of the job for each user of a revoked session.
 */
export async function settleJobs(
  stack: AppStack,
  jobIds: string[],
  ms: number,
): Promise<JobOutcome[]> {
  const deadline = Date.now() + ms;
  const outcomes: JobOutcome[] = [];
  for (const jobId of jobIds) {
    const left = Math.max(0, deadline - Date.now());
    const row =
      (await waitForJob(stack, jobId, (r) => TERMINAL.has(r.state), left)) ??
      (await jobRow(stack, jobId));
    const reason = (row?.reason ?? '').slice(0, 64);
    let outcome = await measure(stack, jobId, row, reason);
    // Notifications of the last batch may land a moment after the job row says completed.
    const notifyDeadline = Date.now() + 10_000;
    while (outcome.state === 'completed' && !outcome.exact && Date.now() < notifyDeadline) {
      await sleep(250);
      outcome = await measure(stack, jobId, row, reason);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

async function measure(
  stack: AppStack,
  jobId: string,
  row: JobRow | null | undefined,
  reason: string,
): Promise<JobOutcome> {
  const [rows] = await stack.sql<{ n: string }>(
    'SELECT count(*) AS n FROM ss_session WHERE "revokedReason" = $1 AND "revokedAt" IS NOT NULL',
    [reason],
  );
  const [notes] = await stack.sql<{
    total: string;
    users: string;
    twice: string;
    missing: string;
  }>(
    `WITH users AS (SELECT DISTINCT "userId" FROM ss_session WHERE "revokedReason" = $1),
          notes AS (SELECT "userId", count(*) AS n FROM ss_notification
                     WHERE type = 'session_revoked' AND payload::json->>'jobId' = $2 GROUP BY 1)
     SELECT coalesce(sum(notes.n), 0) AS total,
            count(*) AS users,
            count(*) FILTER (WHERE notes.n > 1) AS twice,
            count(*) FILTER (WHERE notes.n IS NULL) AS missing
       FROM users LEFT JOIN notes USING ("userId")`,
    [reason, jobId],
  );
  const outcome: JobOutcome = {
    jobId,
    state: row?.state ?? 'missing',
    matched: row?.matched ?? 0,
    revoked: row?.revoked ?? 0,
    rowsRevoked: Number(rows.n),
    notified: Number(notes.total),
    users: Number(notes.users),
    notifiedTwice: Number(notes.twice),
    notNotified: Number(notes.missing),
    exact: false,
  };
  outcome.exact =
    outcome.state === 'completed' &&
    outcome.revoked === outcome.matched &&
    outcome.rowsRevoked === outcome.matched &&
    outcome.notified === outcome.users &&
    outcome.notifiedTwice === 0 &&
    outcome.notNotified === 0;
  return outcome;
}
