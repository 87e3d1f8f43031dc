import { resolve } from 'node:path';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import type { PolicyDocument } from '../policy/policy.types.js';
import { documentPolicy, loadTestPolicy } from './policy-source.js';
import { runPolicyTests, type PolicyTestReport } from './policy-test-runner.js';
import { PolicyTestSuiteError } from './policy-test-suite.error.js';
import { loadPolicyTestSuite, type PolicyTestSuite } from './policy-test-suite.js';

/**
 * Which policy the tests run against, and the auth levels it is validated with.
 *
 * @example const options: PolicyTestFileOptions = { policy: 'policy.yaml', authLevels: ['password', 'mfa'] };
 */
export interface PolicyTestFileOptions {
  /**
   * The policy for every file: a document, a `.yaml` / `.yml` / `.json` file, or a JavaScript
   * module (`policy.js#exportName`). Omitted: each file's own `policy` key.
   */
  policy?: PolicyDocument | string;
  /** Auth levels from weakest to strongest (default `password`, `mfa`). */
  authLevels?: readonly string[];
}

/**
 * Loads policy test files and runs them: one report per policy (files naming the same policy
 * share a report, so coverage counts all their tests).
 *
 * @throws PolicyTestSuiteError for a bad test file, or one with no policy to run against
 * @throws PolicyValidationError for a bad policy
 * @example const [report] = await runPolicyTestFiles(['example/example.policy-tests.yaml'], { policy: builtInPolicy });
 */
export async function runPolicyTestFiles(
  files: readonly string[],
  options: PolicyTestFileOptions = {},
): Promise<PolicyTestReport[]> {
  return runPolicyTestSuites(files.map(loadPolicyTestSuite), options);
}

/**
 * {@link runPolicyTestFiles} for suites already loaded.
 *
 * @example await runPolicyTestSuites([loadPolicyTestSuite(file)], { policy: 'policy.yaml' })
 */
export async function runPolicyTestSuites(
  suites: readonly PolicyTestSuite[],
  options: PolicyTestFileOptions = {},
): Promise<PolicyTestReport[]> {
  const groups = new Map<string, PolicyTestSuite[]>();
  for (const suite of suites) {
    const key =
      typeof options.policy === 'string'
        ? resolve(options.policy)
        : options.policy
          ? ''
          : suite.policy;
    if (key === undefined) {
      throw new PolicyTestSuiteError(suite.file, [
        'policy: required — name the policy file in the suite, or give one (--policy / the policy option)',
      ]);
    }
    groups.set(key, [...(groups.get(key) ?? []), suite]);
  }
  const reports: PolicyTestReport[] = [];
  for (const [key, group] of groups) {
    const config: ResolvedPolicyConfig =
      options.policy !== undefined && typeof options.policy !== 'string'
        ? documentPolicy(options.policy, options.authLevels)
        : await loadTestPolicy(
            typeof options.policy === 'string' ? options.policy : key,
            options.authLevels,
          );
    reports.push(runPolicyTests(config, group));
  }
  return reports;
}
