import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { openExampleDatabase } from '../example/data-source.js';
import { buildCli, runCli, spawnCli, type BuiltCli } from './support/bulk-cli.js';
import { createSchema, query, TEST_DATABASE_URL, TEST_REDIS_URL } from './support/database.js';

/** Sessions in the corpus; three in four are in 10.0.0.0/8 and match the revocation. */
const SESSIONS = 2_400;
const BATCH = 20;

interface JobRow {
  state: string;
  matched: number;
  revoked: number;
}

/**
 * A bulk revocation processed by a separate worker process (the compiled CLI) that is SIGKILLed
 * mid-job; a second worker process takes the job over and finishes it.
 */
describe('a worker process killed mid-job (SIGKILL) and a new one started', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let cli: BuiltCli;
  let env: Record<string, string>;
  const workers: ChildProcess[] = [];
  const table = (name: string) => `"${schema.name}".${name}`;

  beforeAll(async () => {
    [schema, cli] = await Promise.all([createSchema('kill'), buildCli()]);
    env = {
      SESSION_SECURITY_CLI_CONFIG: cli.exampleConfig,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      SESSION_REVOCATION_BATCH_SIZE: String(BATCH),
      SESSION_JOB_STALLED_AFTER: '1s',
    };
    // The app's deploy step: the CLI never migrates.
    await (
      await openExampleDatabase(
        { databaseUrl: TEST_DATABASE_URL, sqlitePath: ':memory:' },
        schema.name,
      )
    ).destroy();
    expect((await runCli(cli.main, ['jobs'], env)).code).toBe(0);
    await insertSessions();
  }, 180_000);
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await cli?.remove();
    await schema?.drop();
  });

  async function insertSessions(): Promise<void> {
    const now = Date.now();
    const values: string[] = [];
    const params: unknown[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const ip = i % 4 === 0 ? `198.51.100.${i % 250}` : `10.${i % 250}.0.1`;
      const row = [
        randomUUID(),
        createHash('sha256').update(`token-${i}`).digest('hex'),
        `user-${i % 500}`,
        '["viewer"]',
        now - 60_000,
        now - 60_000,
        now + 3_600_000,
        now + 3_600_000,
        now - 60_000,
        'password',
        ip,
        'Mozilla/5.0',
        '{}',
      ];
      values.push(`(${row.map((_, j) => `$${params.length + j + 1}`).join(', ')})`);
      params.push(...row);
      if (values.length === 500 || i === SESSIONS - 1) {
        await query(
          `INSERT INTO ${table('ss_session')} ("id", "tokenHash", "userId", "roles", "createdAt",
             "lastSeenAt", "idleExpiresAt", "absoluteExpiresAt", "authenticatedAt", "authLevel",
             "ip", "userAgent", "data") VALUES ${values.join(', ')}`,
          params,
        );
        values.length = 0;
        params.length = 0;
      }
    }
  }

  async function job(jobId: string): Promise<JobRow> {
    const [row] = await query<JobRow>(
      `SELECT state, matched, revoked FROM ${table('ss_revocation_job')} WHERE id = $1`,
      [jobId],
    );
    return { ...row, matched: Number(row.matched), revoked: Number(row.revoked) };
  }

  /** Polls the job row (no fixed sleeps) until `done` holds or the deadline passes. */
  async function waitFor(jobId: string, done: (row: JobRow) => boolean, ms: number) {
    const deadline = Date.now() + ms;
    for (;;) {
      const row = await job(jobId);
      if (done(row)) return row;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${JSON.stringify(row)}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  function startWorker(): ChildProcess {
    const worker = spawnCli(cli.main, ['worker'], env);
    worker.stderr?.resume();
    workers.push(worker);
    return worker;
  }

  const exited = (worker: ChildProcess) =>
    new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      worker.once('exit', (code, signal) => resolve({ code, signal })),
    );

  it('finishes the job on the new worker: every matched row revoked once and each of its users notified exactly once', async () => {
    const started = await runCli(
      cli.main,
      ['--json', 'revoke', '--ip', '10.0.0.0/8', '--reason', 'INC-9 kill test', '--yes'],
      env,
    );
    expect(started.code).toBe(0);
    const { jobId, matched, effect } = JSON.parse(started.stdout);
    expect({ matched, effect }).toEqual({ matched: (SESSIONS * 3) / 4, effect: 'by_job' });

    const first = startWorker();
    const firstExit = exited(first);
    const midway = await waitFor(jobId, (row) => row.revoked >= matched / 10, 60_000);
    first.kill('SIGKILL');
    expect(await firstExit).toEqual({ code: null, signal: 'SIGKILL' });

    const atKill = await job(jobId);
    expect(atKill.state).toBe('active');
    expect(atKill.revoked).toBeGreaterThanOrEqual(midway.revoked);
    expect(atKill.revoked).toBeLessThan(matched);
    const revokedBefore = await query<{ id: string; revokedAt: string }>(
      `SELECT id, "revokedAt" FROM ${table('ss_session')} WHERE "revokedAt" IS NOT NULL`,
    );
    expect(revokedBefore).toHaveLength(atKill.revoked);

    const second = startWorker();
    const finished = await waitFor(jobId, (row) => row.state !== 'active', 90_000);
    expect(finished).toEqual({ state: 'completed', matched, revoked: matched });

    const rows = await query<{ id: string; ip: string; revokedAt: string | null }>(
      `SELECT id, ip, "revokedAt" FROM ${table('ss_session')}`,
    );
    const revoked = rows.filter((row) => row.revokedAt !== null);
    expect(revoked).toHaveLength(matched);
    expect(revoked.every((row) => row.ip.startsWith('10.'))).toBe(true);
    expect(rows.filter((row) => row.ip.startsWith('10.') && row.revokedAt === null)).toEqual([]);
    const before = new Map(revokedBefore.map((row) => [row.id, row.revokedAt]));
    const changed = revoked.filter(
      (row) => before.has(row.id) && before.get(row.id) !== row.revokedAt,
    );
    expect(changed).toEqual([]); // revoked once: the new worker never touched them again

    // One notification per user per job, however the kill fell between a commit and its effects.
    const [users] = await query<{ n: string }>(
      `SELECT count(DISTINCT "userId") AS n FROM ${table('ss_session')} WHERE "revokedAt" IS NOT NULL`,
    );
    const [notified] = await query<{ total: string; users: string }>(
      `SELECT count(*) AS total, count(DISTINCT "userId") AS users
         FROM ${table('ss_notification')} WHERE type = 'session_revoked'
          AND payload::jsonb->>'jobId' = '${jobId}'`,
    );
    expect(Number(users.n)).toBeGreaterThan(0);
    expect({ total: Number(notified.total), users: Number(notified.users) }).toEqual({
      total: Number(users.n),
      users: Number(users.n),
    });
    const [listed] = await query<{ total: string; sessions: string; wrong: string }>(
      `SELECT count(*) AS total, count(DISTINCT s.id) AS sessions,
              count(*) FILTER (WHERE session."userId" IS DISTINCT FROM note."userId"
                                 OR session."revokedAt" IS NULL) AS wrong
         FROM ${table('ss_notification')} AS note
         CROSS JOIN jsonb_array_elements_text(note.payload::jsonb->'sessionIds') AS s(id)
         LEFT JOIN ${table('ss_session')} AS session ON session.id = s.id
        WHERE note.type = 'session_revoked' AND note.payload::jsonb->>'jobId' = '${jobId}'`,
    );
    expect(Number(listed.total)).toBe(Number(listed.sessions)); // no session listed twice
    expect(Number(listed.wrong)).toBe(0); // each listed session is the user's, and revoked
    const audit = await query<{ type: string; n: string }>(
      `SELECT type, count(*) AS n FROM ${table('ss_audit_event')}
        WHERE type LIKE 'revocation.%' GROUP BY type`,
    );
    const byType = Object.fromEntries(audit.map((row) => [row.type, Number(row.n)]));
    expect(byType).toMatchObject({ 'revocation.started': 1, 'revocation.finished': 1 });

    const status = await runCli(cli.main, ['--json', 'job', jobId], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'completed', progress: 100 });
    const secondExit = exited(second);
    second.kill('SIGTERM');
    expect(await secondExit).toEqual({ code: 0, signal: null });
  }, 180_000);
});
