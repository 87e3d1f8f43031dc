import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { buildCli, runCli, runCliOnTerminal, spawnCli, type BuiltCli } from './support/bulk-cli.js';
import { startCliApp, type RunningCliApp } from './support/cli-app.js';
import { createSchema, query, TEST_DATABASE_URL, TEST_REDIS_URL } from './support/database.js';

const osActor = `cli:${userInfo().username}`;

// Each CLI run is a Node process that boots the app (seconds on a busy machine).
jest.setTimeout(180_000);

/** Polls until `ok()` or `ms` passed; returns how long it took (or Infinity). */
async function within(ms: number, ok: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= ms) {
    if (await ok()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.POSITIVE_INFINITY;
}

let cli: BuiltCli;
let cwd: string;

beforeAll(async () => {
  [cli, cwd] = await Promise.all([buildCli(), mkdtemp(join(tmpdir(), 'ss-cli-cwd-'))]);
}, 120_000);
afterAll(async () => {
  await cli?.remove();
  await rm(cwd, { recursive: true, force: true });
});

describe("the compiled CLI against a test app's own module, on PostgreSQL + Redis", () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let env: Record<string, string>;
  let running: RunningCliApp;
  const run = (...args: string[]) => runCli(cli.main, args, env, cwd);
  const table = (name: string) => `"${schema.name}".${name}`;
  let ops: string;
  let alsoOps: string;
  let auditor: string;

  beforeAll(async () => {
    schema = await createSchema('cli');
    env = {
      SESSION_SECURITY_CLI_CONFIG: cli.fixtureConfig,
      CLI_APP_DATABASE_URL: TEST_DATABASE_URL,
      CLI_APP_SCHEMA: schema.name,
      CLI_APP_REDIS_URL: TEST_REDIS_URL,
      CLI_APP_KEY_PREFIX: `test:cli:${randomBytes(4).toString('hex')}:`,
      CLI_APP_SECRET: randomBytes(32).toString('base64url'),
    };
    // Jobs are processed by a `session-security worker` process only.
    running = await startCliApp(env, { worker: false });
    ops = await running.signIn('7', ['operator'], '192.0.2.7');
    alsoOps = await running.signIn('7', ['operator'], '10.1.0.7');
    auditor = await running.signIn('8', ['auditor'], '10.2.0.8');
    await running.signIn('9', ['operator'], '10.3.0.9');
  });
  afterAll(async () => {
    await running?.close();
    await schema?.drop();
  });

  it('dry run: a short table (matched, by role, by user, samples), --json for scripts; changes nothing', async () => {
    const text = await run('revoke', '--ip', '10.0.0.0/8', '--dry-run');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('matched: 3 live sessions (effect: by_job)');
    expect(text.stdout).toContain('by role: operator 2, auditor 1');
    expect(text.stdout).toContain('by user: 7 1, 8 1, 9 1');
    expect(text.stdout).toMatch(/SESSION\s+USER\s+ROLES\s+CREATED\s+IP/);
    expect(text.stdout.split('\n').length).toBeLessThan(15);

    const json = await run('--json', 'revoke', '--role', 'operator', '--dry-run');
    expect(JSON.parse(json.stdout)).toMatchObject({
      dryRun: true,
      matched: 3,
      byRole: [{ role: 'operator', sessions: 3 }],
      byUser: [
        { userId: '7', sessions: 2 },
        { userId: '9', sessions: 1 },
      ],
    });
    const [{ live }] = await query<{ live: string }>(
      `SELECT count(*) AS live FROM ${table('ss_session')} WHERE "revokedAt" IS NULL`,
    );
    expect(Number(live)).toBe(4);
  });

  it("creates no tables or files of its own: no example tables, no secret file, the app's migrations untouched", async () => {
    const tables = await query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
      [schema.name],
    );
    const names = tables.map((t) => t.table_name);
    expect(names).toEqual(expect.arrayContaining(['cli_app_member', 'ss_session']));
    expect(names.filter((n) => n.startsWith('example_'))).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('revokes by user at once in the running app, recording --actor on the job and in the audit log', async () => {
    await running.http.get('/ledger').set('Cookie', ops).expect(200);
    const result = await run(
      '--json',
      '--actor',
      'ops:jane',
      'revoke',
      '--user',
      '7',
      '--reason',
      'lost laptop',
      '--yes',
    );
    expect(result.code).toBe(0);
    const started = JSON.parse(result.stdout);
    expect(started).toMatchObject({ matched: 2, effect: 'immediate', actor: 'ops:jane' });
    await running.http.get('/ledger').set('Cookie', ops).expect(401);
    await running.http.get('/ledger').set('Cookie', alsoOps).expect(401);
    await running.http.get('/ledger').set('Cookie', auditor).expect(200);

    const [job] = await query<{ actor: string }>(
      `SELECT actor FROM ${table('ss_revocation_job')} WHERE id = $1`,
      [started.jobId],
    );
    expect(job.actor).toBe('ops:jane');
    const audited = await query<{ actor: string }>(
      `SELECT actor FROM ${table('ss_audit_event')} WHERE type = 'revocation.started'`,
    );
    expect(audited.map((a) => a.actor)).toEqual(['ops:jane']);
  });

  it('reports the job of an earlier run for the same --idempotency-key instead of starting another', async () => {
    const args = ['--json', 'revoke', '--user', '405', '--reason', 'incident 8', '--yes'];
    const first = await run(...args, '--idempotency-key', 'inc-8-run');
    expect(first.code).toBe(0);
    const again = await run(...args, '--idempotency-key', 'inc-8-run');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      jobId: JSON.parse(first.stdout).jobId,
      replayed: true,
    });
    const [{ n }] = await query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table('ss_revocation_job')} WHERE reason = 'incident 8'`,
    );
    expect(Number(n)).toBe(1);

    const reused = await run(
      ...['revoke', '--user', '406', '--reason', 'other', '--yes'],
      ...['--idempotency-key', 'inc-8-run'],
    );
    expect(reused.code).toBe(2);
    expect(reused.stderr).toContain('--idempotency-key: already used');
    const bad = await run(...args, '--idempotency-key', 'has space');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--idempotency-key');
  });

  it('records the OS user as the actor without --actor, never "unknown"', async () => {
    const result = await run('--json', 'revoke', '--user', '404', '--reason', 'x', '--yes');
    expect(result.code).toBe(0);
    const { jobId } = JSON.parse(result.stdout);
    const jobs = JSON.parse((await run('--json', 'jobs')).stdout);
    expect(jobs.find((j: { jobId: string }) => j.jobId === jobId)).toMatchObject({
      actor: osActor,
    });
    expect(osActor).not.toBe('cli:unknown');
  });

  it('cancels a waiting job (asking first); a cancelled job is skipped by the worker', async () => {
    const started = await run('--json', 'revoke', '--ip', '10.2.0.0/16', '--reason', 'r', '--yes');
    const { jobId } = JSON.parse(started.stdout);
    expect((await run('--json', 'job', jobId)).stdout).toContain('"state": "waiting"');

    const unconfirmed = await run('cancel', jobId);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    const declined = await runCliOnTerminal(cli.main, ['cancel', jobId], env, 'n');
    expect(declined.code).toBe(4);
    expect(JSON.parse((await run('--json', 'job', jobId)).stdout).state).toBe('waiting');

    const cancelled = await run('--actor', 'ops:sam', 'cancel', jobId, '--yes');
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`job ${jobId} cancelled by ops:sam`);
    const events = await query<{ actor: string; details: string }>(
      `SELECT actor, details::text AS details FROM ${table('ss_audit_event')} WHERE type = 'revocation.finished'`,
    );
    expect(events.filter((e) => e.details.includes(jobId))).toEqual([
      expect.objectContaining({ actor: 'ops:sam' }),
    ]);
    expect((await run('cancel', jobId, '--yes')).code).toBe(1);
    expect((await run('cancel', '00000000-0000-4000-8000-000000000000', '--yes')).code).toBe(2);

    const worker = spawnCli(cli.main, ['worker'], env);
    try {
      const ip = await run('--json', 'revoke', '--ip', '10.3.0.0/16', '--reason', 'r', '--yes');
      const followed = await run('--json', 'job', JSON.parse(ip.stdout).jobId, '--follow');
      expect(JSON.parse(followed.stdout)).toMatchObject({ state: 'completed', revoked: 1 });
      expect(JSON.parse((await run('--json', 'job', jobId)).stdout)).toMatchObject({
        state: 'cancelled',
        revoked: 0,
      });
      await running.http.get('/ledger').set('Cookie', auditor).expect(200);
      // The worker delivered through the app's own channel, in its own process.
      const delivered = await query<{ userId: string; type: string; pid: number }>(
        `SELECT "userId", type, pid FROM ${table('cli_app_delivery')} WHERE "userId" = '9'`,
      );
      expect(delivered).toEqual([{ userId: '9', type: 'session_revoked', pid: worker.pid }]);
    } finally {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it("explains decisions of the app's own policy", async () => {
    const explain = (ip: string) =>
      run(
        '--json',
        'policy',
        'explain',
        '--user',
        '7',
        '--roles',
        'operator',
        '--action',
        'read',
        '--subject',
        'Ledger',
        '--ip',
        ip,
      );
    expect(JSON.parse((await explain('192.0.2.5')).stdout)).toMatchObject({ allowed: true });
    expect(JSON.parse((await explain('198.51.100.1')).stdout)).toMatchObject({
      allowed: false,
      reason: 'network_not_allowed',
    });
    const text = await run(
      'policy',
      'explain',
      '--user',
      '7',
      '--roles',
      'operator',
      '--action',
      'read',
      '--subject',
      'Ledger',
      '--ip',
      '198.51.100.1',
    );
    expect(text.stdout).toContain('denied (network_not_allowed)');
  });

  it('tails and verifies the audit log: exit 0 when intact, 1 naming the first broken seq', async () => {
    const tail = await run('--json', 'audit', 'tail', '-n', '2');
    expect(JSON.parse(tail.stdout)).toHaveLength(2);
    const ok = await run('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('audit chain ok');
    await query(`UPDATE ${table('ss_audit_event')} SET "actor" = 'mallory' WHERE seq = 2`);
    const broken = await run('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('broken at seq 2');
  });

  it('exit codes: 2 for usage, 3 naming --config or the missing setting', async () => {
    expect((await run('no-such-command')).code).toBe(2);
    const bad = await run('revoke', '--ip', '10.0.0.0/40', '--reason', 'x', '--yes');
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('--ip');
    expect((await run('revoke', '--all', '--yes')).stderr).toContain('reason');
    const refused = await run('revoke', '--all', '--reason', 'incident');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');

    const none = await runCli(cli.main, ['jobs'], { ...env, SESSION_SECURITY_CLI_CONFIG: '' }, cwd);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('--config');
    const missing = await run('--config', join(cwd, 'nope.js'), 'jobs');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('--config');
    const junk = join(tmpdir(), `ss-cli-junk-${randomBytes(4).toString('hex')}.mjs`);
    await writeFile(junk, 'export default { nothing: true };\n');
    try {
      const invalid = await run('--config', junk, 'jobs');
      expect(invalid.code).toBe(3);
      expect(invalid.stderr).toContain('--config');
    } finally {
      await rm(junk, { force: true });
    }
    const noSecret = await runCli(cli.main, ['jobs'], { ...env, CLI_APP_SECRET: '' }, cwd);
    expect(noSecret.code).toBe(3);
    expect(noSecret.stderr).toContain('secret');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('the compiled CLI on the embedded default: SQLite, no Redis', () => {
  let dir: string;
  let env: Record<string, string>;
  let running: RunningCliApp;
  const run = (...args: string[]) => runCli(cli.main, args, env, cwd);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ss-cli-sqlite-'));
    env = {
      SESSION_SECURITY_CLI_CONFIG: cli.fixtureConfig,
      CLI_APP_SQLITE: join(dir, 'app.sqlite'),
      CLI_APP_KEY_PREFIX: `test:cli:${randomBytes(4).toString('hex')}:`,
      CLI_APP_SECRET: randomBytes(32).toString('base64url'),
    };
    running = await startCliApp(env);
  });
  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a revocation by user is refused by the running app as soon as the command returns', async () => {
    const cookie = await running.signIn('21', ['operator'], '192.0.2.21');
    await running.http.get('/ledger').set('Cookie', cookie).expect(200); // cached in memory
    const result = await run('--json', 'revoke', '--user', '21', '--reason', 'stolen', '--yes');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ effect: 'immediate', state: 'completed' });
    await running.http.get('/ledger').set('Cookie', cookie).expect(401);
  });

  it('a job completes without any worker, and its sessions are refused within 1 s (asserted with 3 s)', async () => {
    const cookies: string[] = [];
    for (let i = 0; i < 3; i++)
      cookies.push(await running.signIn(`3${i}`, ['auditor'], `10.9.0.${i}`));
    const keep = await running.signIn('39', ['auditor'], '198.51.100.39');
    for (const cookie of [...cookies, keep]) {
      await running.http.get('/ledger').set('Cookie', cookie).expect(200);
    }
    const result = await run('--json', 'revoke', '--ip', '10.9.0.0/16', '--reason', 'r', '--yes');
    expect(JSON.parse(result.stdout)).toMatchObject({
      effect: 'by_job',
      state: 'completed',
      matched: 3,
    });
    const took = await within(3_000, async () => {
      const answers = await Promise.all(
        cookies.map((cookie) => running.http.get('/ledger').set('Cookie', cookie)),
      );
      return answers.every((answer) => answer.status === 401);
    });
    expect(took).toBeLessThanOrEqual(3_000);
    await running.http.get('/ledger').set('Cookie', keep).expect(200);
    const delivered = await running.dataSource.query(
      `SELECT "userId" FROM cli_app_delivery WHERE type = 'session_revoked' ORDER BY "userId"`,
    );
    expect(delivered.map((d: { userId: string }) => d.userId)).toEqual(
      expect.arrayContaining(['30', '31', '32']),
    );
  });

  it('refuses a worker (exit 2, saying jobs run in the app) instead of using a Redis nobody configured', async () => {
    const worker = await run('worker');
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('no Redis');
  });

  it('creates no foreign tables and no secret file', async () => {
    const tables = await running.dataSource.query(
      `SELECT name FROM sqlite_master WHERE type = 'table'`,
    );
    const names = tables.map((t: { name: string }) => t.name);
    expect(names).toContain('cli_app_member');
    expect(names.filter((n: string) => n.startsWith('example_'))).toEqual([]);
    expect((await readdir(dir)).filter((f) => !f.startsWith('app.sqlite'))).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe("the example app's CLI config", () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;

  beforeAll(async () => {
    schema = await createSchema('cli_example');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('refuses an unmigrated database instead of migrating it, and never writes a secret', async () => {
    const env = {
      SESSION_SECURITY_CLI_CONFIG: cli.exampleConfig,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      SQLITE_PATH: join(cwd, 'data', 'example.sqlite'),
    };
    const noSecret = await runCli(cli.main, ['jobs'], env, cwd);
    expect(noSecret.code).toBe(3);
    expect(noSecret.stderr).toContain('SESSION_SECRET');
    const unmigrated = await runCli(
      cli.main,
      ['jobs'],
      { ...env, SESSION_SECRET: randomBytes(32).toString('base64url') },
      cwd,
    );
    expect(unmigrated.code).toBe(3);
    expect(unmigrated.stderr).toContain('pending migrations');
    const tables = await query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
      [schema.name],
    );
    expect(tables).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
  });
});
