import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, runCli, type BuiltCli } from './support/bulk-cli.js';
import { startCliApp, type RunningCliApp } from './support/cli-app.js';
import { createSchema, query, TEST_DATABASE_URL, TEST_REDIS_URL } from './support/database.js';

// Each CLI run is a Node process that boots the app (seconds on a busy machine).
jest.setTimeout(180_000);

describe('session-security review, against a test app on PostgreSQL + Redis', () => {
  let cli: BuiltCli;
  let cwd: string;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let env: Record<string, string>;
  let running: RunningCliApp;
  const run = (...args: string[]) => runCli(cli.main, args, env, cwd);

  beforeAll(async () => {
    [cli, cwd, schema] = await Promise.all([
      buildCli(),
      mkdtemp(join(tmpdir(), 'ss-cli-review-')),
      createSchema('cli_review'),
    ]);
    env = {
      SESSION_SECURITY_CLI_CONFIG: cli.fixtureConfig,
      CLI_APP_DATABASE_URL: TEST_DATABASE_URL,
      CLI_APP_SCHEMA: schema.name,
      CLI_APP_REDIS_URL: TEST_REDIS_URL,
      CLI_APP_KEY_PREFIX: `test:cli-review:${randomBytes(4).toString('hex')}:`,
      CLI_APP_SECRET: randomBytes(32).toString('base64url'),
    };
    running = await startCliApp(env, { worker: false });
    await running.signIn('7', ['operator'], '192.0.2.7');
  }, 180_000);
  afterAll(async () => {
    await running?.close();
    await schema?.drop();
    await cli?.remove();
    await rm(cwd, { recursive: true, force: true });
  });

  it('prints the review as JSON with the rules in words, and audits it with the actor', async () => {
    const result = await run('--json', '--actor', 'ops:jane', 'review', '--recent-days', '7');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.roles).toContainEqual(
      expect.objectContaining({
        role: 'operator',
        when: 'network: office',
        inWords: 'allows read on Ledger, only when network: office',
      }),
    );
    expect(report.users).toEqual([{ userId: '7', roles: ['operator'], liveSessions: 1 }]);
    expect(report.unusedGrants).toBeNull(); // this app has no decision log: use is unknown
    expect(report.settings.recentDays).toBe(7);
    const audited = await query<{ actor: string; details: string }>(
      `SELECT actor, details::text AS details FROM "${schema.name}".ss_audit_event WHERE type = 'policy.reviewed'`,
    );
    expect(audited).toHaveLength(1);
    expect(audited[0].actor).toBe('ops:jane');
    expect(JSON.parse(audited[0].details)).toMatchObject({ format: 'json' });
  });

  it('writes CSV to --out (mode 600), prints a text summary, and exits 2 on a bad flag', async () => {
    const out = join(cwd, 'review.csv');
    const csv = await run('review', '--format', 'csv', '--out', out);
    expect(csv.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.split('\r\n')).toContain(
      'role_rule,auditor,auditor[0],,,allow,read,Ledger,,,,allows read on Ledger',
    );
    expect(text).toContain('unused_grant,,,,,,,,,,,unknown: the decision log is off');
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    const summary = await run('review');
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain(
      'operator operator[0]: allows read on Ledger, only when network: office',
    );
    expect(summary.stdout).toContain('grants not used: unknown');

    const bad = await run('review', '--unused-days', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--unused-days: must be a positive number, got 'soon'");
    const format = await run('review', '--format', 'xml');
    expect(format.code).toBe(2);
  });
});
