/** Test helpers of nestjs-session-security (`nestjs-session-security/testing`). */
export { ManualClock } from './manual-clock.js';
export { describePolicyTests } from './describe-policy-tests.js';
export type { DescribePolicyTestsOptions } from './describe-policy-tests.js';
export { runPolicyTestFiles } from '../policy-testing/run-policy-test-files.js';
export type { PolicyTestFileOptions } from '../policy-testing/run-policy-test-files.js';
export {
  formatPolicyTestFailure,
  formatPolicyTestReport,
} from '../policy-testing/format-report.js';
export type {
  PolicyTestOutcome,
  PolicyTestReport,
  PolicyTestResult,
} from '../policy-testing/policy-test-runner.js';
export type { PolicyCoverage } from '../policy-testing/policy-coverage.js';
export { PolicyTestSuiteError } from '../policy-testing/policy-test-suite.error.js';
