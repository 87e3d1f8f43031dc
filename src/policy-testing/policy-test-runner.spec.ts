import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyDocument } from '../policy/policy.types.js';
import { PolicyValidationError } from '../policy/policy-validation.error.js';
import { formatPolicyTestReport } from './format-report.js';
import { documentPolicy } from './policy-source.js';
import { runPolicyTests } from './policy-test-runner.js';
import { PolicyTestSuiteError } from './policy-test-suite.error.js';
import { parsePolicyTestSuite } from './policy-test-suite.js';
import { runPolicyTestFiles } from './run-policy-test-files.js';

const DOCUMENT: PolicyDocument = {
  networks: { office: ['10.0.0.0/8'] },
  roles: {
    editor: [
      {
        id: 'edit-own',
        action: 'update',
        subject: 'Article',
        conditions: { authorId: '${user.id}' },
      },
      {
        id: 'reports',
        action: 'read',
        subject: 'Report',
        when: { hours: { days: 'Mon-Fri', from: '08:00', to: '20:00', tz: 'Europe/Berlin' } },
      },
    ],
    admin: [{ id: 'admin-office', action: 'manage', subject: 'all', when: { network: 'office' } }],
  },
};
const principals = { bob: { id: '2', roles: ['editor'] }, alice: { id: '1', roles: ['admin'] } };
const defaults = { at: '2026-03-02T10:00', tz: 'Europe/Berlin', ip: '10.0.0.7' };
const suite = (tests: unknown[]) =>
  parsePolicyTestSuite({ principals, defaults, tests }, 'inline.yaml');
const run = (tests: unknown[]) => runPolicyTests(documentPolicy(DOCUMENT), [suite(tests)]);
const saturdayReport = {
  name: 'editors read reports on Saturday night',
  as: 'bob',
  action: 'read',
  subject: 'Report',
  at: '2026-03-28T23:10',
};

describe('policy test suites', () => {
  it('passes tests whose decision, deciding rule, reason and failed when match', () => {
    const report = run([
      {
        ...saturdayReport,
        expect: 'deny',
        reason: 'outside_allowed_hours',
        failedWhen: 'reports',
        rule: null,
      },
      {
        name: 'own article',
        as: 'bob',
        action: 'update',
        subject: 'Article',
        resource: { authorId: '2' },
        expect: 'allow',
        rule: 'edit-own',
      },
    ]);
    expect(report.results.map((result) => result.mismatches)).toEqual([[], []]);
    expect(report).toMatchObject({ passed: true, failed: 0 });
  });

  it('takes remembered as a fact: a when.remembered rule holds or fails by it', () => {
    const policy = documentPolicy({
      roles: {
        editor: [{ id: 'edit', action: 'update', subject: 'Article', when: { remembered: false } }],
      },
    });
    const test = { as: 'bob', action: 'update', subject: 'Article' };
    const report = runPolicyTests(policy, [
      suite([
        { ...test, name: 'standard session', remembered: false, expect: 'allow', rule: 'edit' },
        {
          ...test,
          name: 'remembered session',
          remembered: true,
          expect: 'deny',
          reason: 'remembered_session',
          failedWhen: 'edit',
        },
        { ...test, name: 'kind unknown', expect: 'deny', reason: 'remembered_session' },
      ]),
    ]);
    expect(report.results.map((result) => result.mismatches)).toEqual([[], [], []]);
    expect(report).toMatchObject({ passed: true, failed: 0 });
  });

  it('takes impersonated as a fact: a when.impersonated rule holds or fails by it', () => {
    const policy = documentPolicy({
      roles: {
        editor: [
          { id: 'edit', action: 'update', subject: 'Article', when: { impersonated: false } },
        ],
      },
    });
    const test = { as: 'bob', action: 'update', subject: 'Article' };
    const report = runPolicyTests(policy, [
      suite([
        { ...test, name: 'own session', impersonated: false, expect: 'allow', rule: 'edit' },
        {
          ...test,
          name: 'impersonated',
          impersonated: true,
          expect: 'deny',
          reason: 'impersonation',
          failedWhen: 'edit',
        },
        { ...test, name: 'kind unknown', expect: 'deny', reason: 'impersonation' },
      ]),
    ]);
    expect(report.results.map((result) => result.mismatches)).toEqual([[], [], []]);
    expect(report).toMatchObject({ passed: true, failed: 0 });
  });

  it('fails a wrong expectation with a readable - expected / + actual diff and the trace', () => {
    const report = run([{ ...saturdayReport, expect: 'allow', rule: 'reports' }]);
    expect(report).toMatchObject({ passed: false, failed: 1 });
    expect(report.results[0]).toMatchObject({
      mismatches: ['decision', 'rule'],
      expected: { decision: 'allow', rule: 'reports' },
      actual: {
        decision: 'deny',
        rule: null,
        reason: 'outside_allowed_hours',
        failedWhen: ['reports'],
      },
    });
    const text = formatPolicyTestReport(report);
    expect(text).toContain('✗ editors read reports on Saturday night  (inline.yaml, tests[0])');
    expect(text).toContain('- decision: allow\n      + decision: deny');
    expect(text).toContain('- rule: reports\n      + rule: (none)');
    expect(text).toContain(
      'reports (editor, allows): when failed — outside_allowed_hours: Sat 23:10 in Europe/Berlin is outside Mon-Fri 08:00-20:00',
    );
    expect(text).toContain('0 of 1 tests passed, 1 failed');
  });

  it('fails a test naming a rule the policy does not have', () => {
    const report = run([{ ...saturdayReport, expect: 'deny', failedWhen: 'report' }]);
    expect(report.results[0]).toMatchObject({
      passed: false,
      mismatches: ['failedWhen'],
      notes: ["the policy has no rule 'report'"],
    });
  });

  it('reports rules that never decided a test and when branches never exercised', () => {
    const report = run([{ ...saturdayReport, expect: 'deny' }]);
    expect(report.passed).toBe(true);
    expect(report.coverage.complete).toBe(false);
    expect(report.coverage.uncovered).toEqual([
      "rule 'edit-own' (editor) never decided a test",
      "rule 'reports' (editor) never decided a test",
      "rule 'admin-office' (admin) never decided a test",
      "when of 'reports' never held in a test",
      "when of 'admin-office' never held in a test",
      "when of 'admin-office' never failed in a test",
    ]);
    expect(formatPolicyTestReport(report)).toContain(
      'coverage: 0 of 3 rules decided a test, 1 of 4 when branches exercised',
    );
  });

  it('counts a when branch only in tests about its rule', () => {
    // Alice reads a report from outside: admin-office is about it and its when fails.
    const outside = run([{ ...saturdayReport, as: 'alice', ip: '203.0.113.9', expect: 'deny' }]);
    expect(outside.coverage.whens).toContainEqual({ ruleId: 'admin-office', passed: 0, failed: 1 });
    // Bob reads a report: the admin rule is not his, so it is not exercised at all.
    expect(run([{ ...saturdayReport, expect: 'deny' }]).coverage.whens).toContainEqual({
      ruleId: 'admin-office',
      passed: 0,
      failed: 0,
    });
  });

  it('rejects a bad test file naming the file and the path of each problem', () => {
    let error: unknown;
    try {
      parsePolicyTestSuite(
        {
          principals,
          tests: [
            { name: 'no time', as: 'bob', action: 'read', subject: 'Report', expect: 'deny' },
            { ...saturdayReport, as: 'bbo', tz: 'Europe/Berlim', expect: 'deny' },
            { ...saturdayReport, expect: 'maybe' },
          ],
        },
        'bad.yaml',
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyTestSuiteError);
    expect((error as Error).message).toBe(
      "tests[2].expect: expected 'allow' or 'deny'\n(policy tests in bad.yaml)",
    );
    try {
      parsePolicyTestSuite(
        {
          principals,
          tests: [
            { name: 'no time', as: 'bob', action: 'read', subject: 'Report', expect: 'deny' },
            { ...saturdayReport, as: 'bbo', tz: 'Europe/Berlim', expect: 'deny' },
          ],
        },
        'bad.yaml',
      );
    } catch (caught) {
      error = caught;
    }
    expect((error as PolicyTestSuiteError).problems).toEqual([
      'tests[0].at: required (here or in defaults), so the test gives the same answer every day',
      "tests[1].tz: unknown time zone 'Europe/Berlim'",
      "tests[1].as: unknown principal 'bbo' (known: bob, alice)",
    ]);
  });

  describe('from files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ss-policy-tests-'));
      await writeFile(join(dir, 'policy.json'), JSON.stringify(DOCUMENT));
      await writeFile(
        join(dir, 'policy.mjs'),
        `export const rules = ${JSON.stringify(DOCUMENT)};\n`,
      );
      await writeFile(
        join(dir, 'a.policy-tests.yaml'),
        `policy: policy.json\nprincipals: { bob: { id: '2', roles: [editor] } }\n` +
          `tests:\n  - { name: night, as: bob, action: read, subject: Report, at: '2026-03-28T23:10', tz: Europe/Berlin, expect: deny }\n`,
      );
      await writeFile(
        join(dir, 'b.policy-tests.yaml'),
        `tests:\n  - { name: guest, as: { id: 9, roles: [] }, action: read, subject: Report, at: '2026-03-02', expect: deny }\n`,
      );
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('runs a file against the policy it names, relative to the file', async () => {
      const [report] = await runPolicyTestFiles([join(dir, 'a.policy-tests.yaml')]);
      expect(report).toMatchObject({ origin: join(dir, 'policy.json'), passed: true });
    });

    it('runs every file against a policy module export when one is given', async () => {
      const reports = await runPolicyTestFiles(
        [join(dir, 'a.policy-tests.yaml'), join(dir, 'b.policy-tests.yaml')],
        { policy: `${join(dir, 'policy.mjs')}#rules` },
      );
      expect(reports).toHaveLength(1);
      expect(reports[0].results.map((result) => result.passed)).toEqual([true, true]);
    });

    it('names what is missing: a policy to run against, an export of the module', async () => {
      await expect(runPolicyTestFiles([join(dir, 'b.policy-tests.yaml')])).rejects.toThrow(
        'policy: required',
      );
      await expect(
        runPolicyTestFiles([join(dir, 'b.policy-tests.yaml')], { policy: join(dir, 'policy.mjs') }),
      ).rejects.toThrow("the module exports no 'default' or 'policy' (its exports: rules)");
      await expect(
        runPolicyTestFiles([join(dir, 'b.policy-tests.yaml')], { policy: join(dir, 'nope.yaml') }),
      ).rejects.toThrow(PolicyValidationError);
    });
  });
});
