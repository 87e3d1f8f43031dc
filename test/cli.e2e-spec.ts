import { randomBytes } from 'node:crypto';
import { SessionService } from '../src/index.js';
import { buildCli, runCli, spawnCli, type BuiltCli } from './support/bulk-cli.js';
import { startBulkExample } from './support/bulk-app.js';
import { createSchema, query, TEST_DATABASE_URL, TEST_REDIS_URL } from './support/database.js';
import { newEnvironment } from './support/example-app.js';

describe('operations CLI (compiled, run as a child process)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let cli: BuiltCli;
  let env: Record<string, string>;
  const secret = randomBytes(32).toString('base64url');
  const run = (...args: string[]) => runCli(cli.main, args, env);

  beforeAll(async () => {
    [schema, cli] = await Promise.all([createSchema('cli'), buildCli()]);
    const environment = newEnvironment(schema.name, { SESSION_SECRET: secret });
    env = {
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: environment.redisKeyPrefix,
      SESSION_SECRET: secret,
    };
    const app = await startBulkExample(environment, { worker: false });
    try {
      const sessions = app.app.get(SessionService);
      await sessions.create({ id: '2', roles: ['editor'] }, { ip: '10.0.0.2' });
      await sessions.create({ id: '2', roles: ['editor'] }, { ip: '10.0.0.3' });
      await sessions.create({ id: '3', roles: ['viewer'] }, { ip: '203.0.113.3' });
    } finally {
      await app.close();
    }
  });
  afterAll(async () => {
    await cli?.remove();
    await schema?.drop();
  });

  it('counts without changing anything on --dry-run', async () => {
    const result = await run('revoke', '--role', 'editor', '--reason', 'look', '--dry-run');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ matched: 2, effect: 'immediate' });
    const [{ live }] = await query<{ live: string }>(
      `SELECT count(*) AS live FROM "${schema.name}".ss_session WHERE "revokedAt" IS NULL`,
    );
    expect(Number(live)).toBe(3);
  });

  it('refuses to revoke without --yes when not on a terminal (exit 2), and names a bad flag (exit 2)', async () => {
    const refused = await run('revoke', '--all', '--reason', 'incident');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const bad = await run('revoke', '--ip', '10.0.0.0/40', '--reason', 'x', '--yes');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ip');
    const noReason = await run('revoke', '--all', '--yes');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('reason');
    expect((await run('no-such-command')).code).toBe(2);
  });

  it('starts a job with --yes, lists it, and follows it to completion on a separate worker', async () => {
    const started = await run('revoke', '--ip', '10.0.0.0/8', '--reason', 'incident 7', '--yes');
    expect(started.code).toBe(0);
    const { jobId, matched, effect } = JSON.parse(started.stdout);
    expect({ matched, effect }).toEqual({ matched: 2, effect: 'by_job' });

    const jobs = await run('jobs');
    expect(JSON.parse(jobs.stdout)[0]).toMatchObject({ jobId, state: 'waiting' });

    const worker = spawnCli(cli.main, ['worker'], env);
    try {
      const followed = await run('job', jobId, '--follow');
      expect(followed.code).toBe(0);
      expect(JSON.parse(followed.stdout)).toMatchObject({ jobId, state: 'completed', revoked: 2 });
    } finally {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect((await run('job', '00000000-0000-4000-8000-000000000000')).code).toBe(2);
  });

  it('reports the job of an earlier run for the same --idempotency-key instead of starting another', async () => {
    const args = ['revoke', '--user', '3', '--reason', 'incident 8', '--yes'];
    const first = await run(...args, '--idempotency-key', 'inc-8-run');
    expect(first.code).toBe(0);
    const again = await run(...args, '--idempotency-key', 'inc-8-run');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      jobId: JSON.parse(first.stdout).jobId,
      replayed: true,
    });
    const [{ n }] = await query<{ n: string }>(
      `SELECT count(*) AS n FROM "${schema.name}".ss_revocation_job WHERE reason = 'incident 8'`,
    );
    expect(Number(n)).toBe(1);

    const reused = await run(
      'revoke',
      '--user',
      '2',
      '--reason',
      'other',
      '--yes',
      '--idempotency-key',
      'inc-8-run',
    );
    expect(reused.code).toBe(2);
    expect(reused.stderr).toContain('--idempotency-key: already used');
    const bad = await run(...args, '--idempotency-key', 'has space');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--idempotency-key');
  });

  it('refuses to run a worker without Redis (exit 2), since jobs then run inside the app', async () => {
    const result = await runCli(cli.main, ['worker'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('worker: no Redis answers at REDIS_URL');
  });

  it('explains a policy decision for a given time and address', async () => {
    const explain = (...extra: string[]) =>
      run(
        'policy',
        'explain',
        '--user',
        '2',
        '--roles',
        'editor',
        '--action',
        'read',
        '--subject',
        'Report',
        ...extra,
      );
    const weekday = await explain('--at', '2026-03-27T10:00:00Z');
    expect(weekday.code).toBe(0);
    expect(JSON.parse(weekday.stdout)).toMatchObject({ allowed: true });
    const saturday = JSON.parse((await explain('--at', '2026-03-28T10:00:00Z')).stdout);
    expect(saturday).toMatchObject({ allowed: false, reason: 'outside_allowed_hours' });
    const admin = await run(
      'policy',
      'explain',
      '--user',
      '1',
      '--roles',
      'admin',
      '--action',
      'manage',
      '--subject',
      'Session',
      '--ip',
      '8.8.8.8',
    );
    expect(JSON.parse(admin.stdout)).toMatchObject({
      allowed: false,
      reason: 'network_not_allowed',
    });
    expect((await explain('--at', 'tomorrow')).code).toBe(2);
  });

  it('tails the audit log and verifies it: exit 0 when intact, 1 naming the first broken seq', async () => {
    const tail = await run('audit', 'tail', '-n', '2');
    expect(tail.code).toBe(0);
    const events = JSON.parse(tail.stdout);
    expect(events).toHaveLength(2);
    expect(events.map((e: { type: string }) => e.type)).toContain('revocation.finished');

    const ok = await run('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('audit chain ok');

    await query(`UPDATE "${schema.name}".ss_audit_event SET "actor" = 'mallory' WHERE seq = 2`);
    const broken = await run('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('broken at seq 2');
  });
});
