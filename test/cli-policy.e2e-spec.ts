import { jest } from '@jest/globals';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCli, runCli, type BuiltCli } from './support/bulk-cli.js';

// `policy test` and `policy explain --policy` need no app: no database, no Redis.
jest.setTimeout(120_000);

const SUITE = resolve('example/example.policy-tests.yaml');

let cli: BuiltCli;
let dir: string;
let policy: string;
const run = (...args: string[]) => runCli(cli.main, args, {}, dir);

beforeAll(async () => {
  [cli, dir] = await Promise.all([buildCli(), mkdtemp(join(tmpdir(), 'ss-cli-policy-'))]);
  policy = `${join(cli.exampleConfig, '..', 'policy.js')}#builtInPolicy`;
}, 120_000);
afterAll(async () => {
  await cli?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('session-security policy test', () => {
  it("passes the example's suite with every rule and when branch covered, exit 0", async () => {
    const result = await run('policy', 'test', SUITE, '--policy', policy, '--require-coverage');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('15 of 15 tests passed');
    expect(result.stdout).toContain(
      'coverage: 5 of 5 rules decided a test, 4 of 4 when branches exercised',
    );
    expect(result.stdout).not.toContain('not covered');
  });

  it('exits 1 on a wrong expectation, with a diff and the trace naming the failed when', async () => {
    const wrong = join(dir, 'wrong.policy-tests.yaml');
    const text = await readFile(SUITE, 'utf8');
    const flipped = text.replace(
      /(- name: editors may not read reports on a Saturday night[\s\S]*?)expect: deny/,
      '$1expect: allow',
    );
    expect(flipped).not.toBe(text);
    await writeFile(wrong, flipped);
    const result = await run('policy', 'test', wrong, '--policy', policy);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ editors may not read reports on a Saturday night');
    expect(result.stdout).toContain('- decision: allow\n      + decision: deny');
    expect(result.stdout).toContain(
      'editor-reports (editor, allows): when failed — outside_allowed_hours: Sat 23:10 in Europe/Berlin is outside Mon-Fri 08:00-20:00',
    );
    expect(result.stdout).toContain('14 of 15 tests passed, 1 failed');

    const json = await run('--json', 'policy', 'test', wrong, '--policy', policy);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.passed).toBe(false);
    expect(report.reports[0].results.filter((r: { passed: boolean }) => !r.passed)).toHaveLength(1);
  });

  it('reports uncovered rules; --require-coverage turns them into exit 1', async () => {
    const partial = join(dir, 'partial.policy-tests.yaml');
    await writeFile(
      partial,
      [
        'tests:',
        '  - name: viewers read articles',
        "    as: { id: '3', roles: [viewer] }",
        '    action: read',
        '    subject: Article',
        "    at: '2026-03-02T10:00Z'",
        '    expect: allow',
      ].join('\n'),
    );
    const report = await run('policy', 'test', partial, '--policy', policy);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain("not covered: rule 'editor-own' (editor) never decided a test");
    expect(report.stdout).toContain("not covered: when of 'admin-all' never failed in a test");
    const strict = await run('policy', 'test', partial, '--policy', policy, '--require-coverage');
    expect(strict.code).toBe(1);
  });

  it("finds *.policy-tests files below the current folder and runs them against each file's policy", async () => {
    const project = join(dir, 'project');
    await mkdir(join(project, 'policy'), { recursive: true });
    await mkdir(join(project, 'node_modules', 'dep'), { recursive: true });
    await writeFile(
      join(project, 'policy', 'app.yaml'),
      'roles:\n  viewer: [{ id: viewer-read, action: read, subject: Article }]\n',
    );
    await writeFile(
      join(project, 'policy', 'app.policy-tests.yaml'),
      "policy: app.yaml\ntests:\n  - { name: reads, as: { id: 1, roles: [viewer] }, action: read, subject: Article, at: '2026-03-02', expect: allow }\n",
    );
    // Never looked at: a dependency's files.
    await writeFile(join(project, 'node_modules', 'dep', 'x.policy-tests.yaml'), 'tests: nope\n');
    const result = await runCli(cli.main, ['policy', 'test', '--require-coverage'], {}, project);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 of 1 tests passed');

    await mkdir(join(project, 'empty'));
    const empty = await runCli(cli.main, ['policy', 'test'], {}, join(project, 'empty'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no files given');
  });

  it('exits 2 naming the file and path of a bad test file, or the problem of a bad policy', async () => {
    const bad = join(dir, 'bad.policy-tests.yaml');
    await writeFile(
      bad,
      "principals: { bob: { id: '2', roles: [editor] } }\ntests:\n  - { name: x, as: bbo, action: read, subject: Report, expect: allow }\n",
    );
    const result = await run('policy', 'test', bad, '--policy', policy);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'tests[0].at: required (here or in defaults), so the test gives the same answer every day',
    );
    expect(result.stderr).toContain("tests[0].as: unknown principal 'bbo' (known: bob)");
    expect(result.stderr).toContain(`(policy tests in ${bad})`);

    const badPolicy = join(dir, 'bad-policy.yaml');
    await writeFile(
      badPolicy,
      'roles:\n  editor: [{ action: read, subject: Report, when: { hours: { from: "09:00", to: "18:00", tz: Europe/Berlim } } }]\n',
    );
    await copyFile(SUITE, join(dir, 'copy.policy-tests.yaml'));
    const invalid = await run(
      'policy',
      'test',
      join(dir, 'copy.policy-tests.yaml'),
      '--policy',
      badPolicy,
    );
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(
      "policy.roles.editor[0].when.hours.tz: unknown time zone 'Europe/Berlim'",
    );
  });
});

describe('session-security policy explain --policy (what-if without the app)', () => {
  it('names the failed when block and every rule of the roles', async () => {
    const result = await run(
      'policy',
      'explain',
      '--policy',
      policy,
      '--as',
      'editor',
      '--user',
      '2',
      '--action',
      'read',
      '--subject',
      'Report',
      '--at',
      '2026-03-28T23:10',
      '--tz',
      'Europe/Berlin',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('denied (outside_allowed_hours): read Report, no rule decided');
    expect(result.stdout).toContain(
      'editor-reports (editor, allows): when failed — outside_allowed_hours: Sat 23:10 in Europe/Berlin is outside Mon-Fri 08:00-20:00',
    );
    expect(result.stdout).toContain(
      '(2 other rules of these roles: about another action or subject)',
    );
  });

  it('checks an instance given as JSON and prints the whole trace with --json', async () => {
    const result = await run(
      '--json',
      'policy',
      'explain',
      '--policy',
      policy,
      '--as',
      'editor,admin',
      '--user',
      '2',
      '--action',
      'update',
      '--subject',
      'Article',
      '--resource',
      '{"authorId":"2"}',
      '--ip',
      '203.0.113.9',
    );
    expect(result.code).toBe(0);
    const trace = JSON.parse(result.stdout);
    expect(trace).toMatchObject({ allowed: true, decidingRule: { id: 'editor-own' } });
    expect(trace.rules.map((r: { id: string; outcome: string }) => [r.id, r.outcome])).toEqual([
      ['admin-all', 'when_failed'],
      ['editor-read', 'not_relevant'],
      ['editor-own', 'decided'],
      ['editor-reports', 'not_relevant'],
    ]);
  });

  it('exits 2 naming the flag of a bad value, and user:<id> without the app', async () => {
    const bad = await run(
      'policy',
      'explain',
      '--policy',
      policy,
      '--as',
      'editor',
      '--action',
      'read',
      '--subject',
      'Report',
      '--tz',
      'Europe/Berlim',
      '--ip',
      '10.0.0.0/8',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--tz: unknown time zone 'Europe/Berlim'");
    expect(bad.stderr).toContain("--ip: not an IP address '10.0.0.0/8'");
    const resource = await run(
      'policy',
      'explain',
      '--policy',
      policy,
      '--as',
      'editor',
      '--action',
      'update',
      '--subject',
      'Article',
      '--resource',
      '[1]',
    );
    expect(resource).toMatchObject({ code: 2 });
    expect(resource.stderr).toContain('--resource: not a JSON object');
    const user = await run(
      'policy',
      'explain',
      '--policy',
      policy,
      '--as',
      'user:2',
      '--action',
      'read',
      '--subject',
      'Report',
    );
    expect(user.code).toBe(2);
    expect(user.stderr).toContain("needs the app's user directory");
  });
});
