/**
 * One problem of a policy document: where it is and what is wrong.
 *
 * @example const issue: PolicyIssue = { path: 'policy.roles.editor[1].when.hours.tz', message: "unknown time zone 'Europe/Berlim'" };
 */
export interface PolicyIssue {
  path: string;
  message: string;
}

/**
 * Thrown at startup when a policy document is invalid. The message has one line per problem, each
 * starting with the exact path of the bad entry, followed by the origin (file path or `options`).
 *
 * @example
 * // policy.roles.editor[1].when.hours.tz: unknown time zone 'Europe/Berlim'
 * // (policy from ./policy.yaml)
 */
export class PolicyValidationError extends Error {
  constructor(
    readonly issues: PolicyIssue[],
    readonly origin: string,
  ) {
    super(
      `${issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n')}\n(policy from ${origin})`,
    );
    this.name = 'PolicyValidationError';
  }
}

/**
 * Formats a path inside a policy document: `['roles', 'editor', 1, 'when']` becomes
 * `policy.roles.editor[1].when`.
 *
 * @example formatPolicyPath(['roles', 'editor', 1]) // 'policy.roles.editor[1]'
 */
export function formatPolicyPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (text, segment) =>
      typeof segment === 'number' ? `${text}[${segment}]` : `${text}.${String(segment)}`,
    'policy',
  );
}
