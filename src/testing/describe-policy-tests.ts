import { formatPolicyTestFailure } from '../policy-testing/format-report.js';
import type { PolicyTestReport } from '../policy-testing/policy-test-runner.js';
import { loadPolicyTestSuite } from '../policy-testing/policy-test-suite.js';
import {
  runPolicyTestSuites,
  type PolicyTestFileOptions,
} from '../policy-testing/run-policy-test-files.js';

/**
 * Options of {@link describePolicyTests}.
 *
 * @example const options: DescribePolicyTestsOptions = { policy: builtInPolicy, requireCoverage: true };
 */
export interface DescribePolicyTestsOptions extends PolicyTestFileOptions {
  /** Add a test that fails while a rule or `when` branch is not exercised (default `true`). */
  requireCoverage?: boolean;
  /** Title of the `describe` block (default `policy tests`). */
  title?: string;
}

interface JestGlobals {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => void): void;
  beforeAll(body: () => Promise<void>, timeout?: number): void;
}

/**
 * Runs policy test files inside the app's own Jest suite: one Jest test per policy test (a
 * failure shows the `- expected / + actual` diff and the trace of the decision), and one that
 * fails while a rule or `when` branch is never exercised.
 *
 * @throws PolicyTestSuiteError at collection when a file is invalid
 * @example
 * // policy.spec.ts
 * import { describePolicyTests } from 'nestjs-session-security/testing';
 * describePolicyTests(['policy/app.policy-tests.yaml'], { policy: 'policy/app.policy.yaml' });
 */
export function describePolicyTests(
  files: string | readonly string[],
  options: DescribePolicyTestsOptions = {},
): void {
  const jest = globalThis as unknown as Partial<JestGlobals>;
  if (!jest.describe || !jest.it || !jest.beforeAll) {
    throw new Error(
      'describePolicyTests: call it in a Jest test file (describe/it/beforeAll are not defined)',
    );
  }
  const { describe, it, beforeAll } = jest as JestGlobals;
  const suites = [files].flat().map(loadPolicyTestSuite);
  describe(options.title ?? 'policy tests', () => {
    let reports: PolicyTestReport[] = [];
    beforeAll(async () => {
      reports = await runPolicyTestSuites(suites, options);
    });
    for (const suite of suites) {
      suite.tests.forEach((test, index) => {
        it(test.name, () => {
          const result = reports
            .flatMap((report) => report.results)
            .find((r) => r.file === suite.file && r.index === index);
          if (!result) throw new Error(`policy test '${test.name}' did not run`);
          if (!result.passed) throw new Error(formatPolicyTestFailure(result));
        });
      });
    }
    if (options.requireCoverage ?? true) {
      it('exercises every rule and every when branch', () => {
        const gaps = reports.flatMap((report) =>
          report.coverage.uncovered.map((line) => `${report.origin}: ${line}`),
        );
        if (gaps.length > 0) throw new Error(`policy tests leave uncovered:\n${gaps.join('\n')}`);
      });
    }
  });
}
