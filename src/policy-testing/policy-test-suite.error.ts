/**
 * A policy test file that cannot be used: unreadable, not YAML/JSON, or with bad entries. The
 * message has one line per problem, each with its path in the file, then the file.
 *
 * @example
 * // tests[2].as: unknown principal 'alcie' (known: alice, bob)
 * // (policy tests in example/example.policy-tests.yaml)
 */
export class PolicyTestSuiteError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${problems.join('\n')}\n(policy tests in ${file})`);
    this.name = 'PolicyTestSuiteError';
  }
}
