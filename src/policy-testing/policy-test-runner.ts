import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import { contextOf, subjectOf } from '../policy/policy-question.js';
import type { PolicyTrace } from '../policy/policy-trace.js';
import { PolicyService } from '../policy/policy.service.js';
import { coverageOf, type PolicyCoverage } from './policy-coverage.js';
import type { PolicyTestCase, PolicyTestSuite } from './policy-test-suite.js';

/**
 * What a test expects or what the policy answered.
 *
 * @example const outcome: PolicyTestOutcome = { decision: 'deny', rule: null, reason: 'outside_allowed_hours', failedWhen: ['editor-reports'] };
 */
export interface PolicyTestOutcome {
  decision: 'allow' | 'deny';
  /** Id of the deciding rule, `null` when none decided. */
  rule: string | null;
  reason: string | null;
  /** Ids of the rules about this action and subject whose `when` failed. */
  failedWhen: string[];
}

/**
 * One test and how it went: the fields that differ, what was expected and what happened, and the
 * full trace of the decision.
 *
 * @example if (!result.passed) console.log(result.mismatches) // ['decision', 'reason']
 */
export interface PolicyTestResult {
  file: string;
  name: string;
  index: number;
  passed: boolean;
  /** The expected fields the policy answered differently; empty when passed. */
  mismatches: (keyof PolicyTestOutcome)[];
  /** Only what the test asked for. */
  expected: Partial<PolicyTestOutcome>;
  actual: PolicyTestOutcome;
  /** Problems of the test itself, e.g. a rule id the policy does not have. */
  notes: string[];
  trace: PolicyTrace;
}

/**
 * Every test of the suites run against one policy, and the coverage of its rules.
 *
 * @example const report = runPolicyTests(createPolicyConfig({ file: 'policy.yaml' }), [suite]); report.passed
 */
export interface PolicyTestReport {
  origin: string;
  policyVersion: string;
  results: PolicyTestResult[];
  failed: number;
  /** Every test passed (coverage is not part of it; see `coverage.complete`). */
  passed: boolean;
  coverage: PolicyCoverage;
}

/**
 * Runs policy tests against a policy, without an app: each test is one `PolicyService.trace()`
 * with the test's principal, subject and frozen request facts.
 *
 * @example
 * const report = runPolicyTests(createPolicyConfig({ document }), [loadPolicyTestSuite(file)]);
 * if (!report.passed) process.exitCode = 1;
 */
export function runPolicyTests(
  policy: ResolvedPolicyConfig,
  suites: readonly PolicyTestSuite[],
): PolicyTestReport {
  const service = new PolicyService(policy);
  const ruleIds = new Set(
    Object.values(policy.document.roles)
      .flat()
      .map((rule) => rule.id),
  );
  const results = suites.flatMap((suite) =>
    suite.tests.map((test, index) => runOne(service, ruleIds, suite.file, test, index)),
  );
  const failed = results.filter((result) => !result.passed).length;
  return {
    origin: policy.origin,
    policyVersion: service.version,
    results,
    failed,
    passed: failed === 0,
    coverage: coverageOf(
      policy.document,
      results.map((result) => result.trace),
    ),
  };
}

function runOne(
  service: PolicyService,
  ruleIds: ReadonlySet<string | undefined>,
  file: string,
  test: PolicyTestCase,
  index: number,
): PolicyTestResult {
  const { id, roles, tenantId, attributes } = test.as;
  const trace = service.trace(
    { ...attributes, id, roles, tenantId: tenantId ?? null },
    test.action,
    subjectOf(test.subject, test.resource),
    contextOf(test, 0),
  );
  const actual: PolicyTestOutcome = {
    decision: trace.allowed ? 'allow' : 'deny',
    rule: trace.decidingRule?.id ?? null,
    reason: trace.reason,
    failedWhen: trace.failedWhen.map((failed) => failed.ruleId),
  };
  const expected: Partial<PolicyTestOutcome> = { decision: test.expect };
  if (test.rule !== undefined) expected.rule = test.rule;
  if (test.reason !== undefined) expected.reason = test.reason;
  if (test.failedWhen !== undefined) expected.failedWhen = [test.failedWhen].flat();
  const mismatches: (keyof PolicyTestOutcome)[] = [];
  if (expected.decision !== actual.decision) mismatches.push('decision');
  if ('rule' in expected && expected.rule !== actual.rule) mismatches.push('rule');
  if ('reason' in expected && expected.reason !== actual.reason) mismatches.push('reason');
  if (expected.failedWhen?.some((ruleId) => !actual.failedWhen.includes(ruleId))) {
    mismatches.push('failedWhen');
  }
  const notes = [expected.rule ?? null, ...(expected.failedWhen ?? [])]
    .filter((ruleId): ruleId is string => ruleId !== null && !ruleIds.has(ruleId))
    .map((ruleId) => `the policy has no rule '${ruleId}'`);
  return {
    file,
    name: test.name,
    index,
    passed: mismatches.length === 0 && notes.length === 0,
    mismatches,
    expected,
    actual,
    notes,
    trace,
  };
}
