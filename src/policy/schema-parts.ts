import { z } from 'zod';
import { parseDuration } from '../common/duration.js';
import { parseCidr } from '../network/client-ip.js';

/**
 * A non-empty string whose error messages name what was expected.
 *
 * @example text('action').parse('read')
 */
export const text = (what: string) =>
  z
    .string({ error: expecting(`${what} (a non-empty string)`) })
    .min(1, `${what} must not be empty`);

/**
 * A non-empty string or a non-empty list of them.
 *
 * @example textOrList('action').parse(['read', 'update'])
 */
export const textOrList = (what: string) =>
  z.union([text(what), z.array(text(what)).min(1, `list of ${what} must not be empty`)], {
    error: expecting(`${what}: a non-empty string or a non-empty list of non-empty strings`),
  });

/**
 * An error map that says `required` for a missing value and `expected <what>` otherwise.
 *
 * @example z.boolean({ error: expecting('true or false') })
 */
export const expecting =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'required' : `expected ${what}`;

/**
 * A schema that runs `test` on an already-typed value and reports the problem it returns.
 *
 * @example text('tz').pipe(check((tz) => (ok(tz) ? null : `unknown time zone '${tz}'`)))
 */
export const check = <T>(test: (value: T) => string | null) =>
  z.custom<T>().superRefine((value, ctx) => {
    const problem = test(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * Explains why `cidr` is not a CIDR, or `null` when it is one.
 *
 * @example cidrProblem('10.0.0.0/33') // "invalid CIDR '10.0.0.0/33'"
 */
export function cidrProblem(cidr: unknown): string | null {
  if (typeof cidr !== 'string') return `invalid CIDR ${JSON.stringify(cidr)}`;
  try {
    parseCidr(cidr, '');
    return null;
  } catch {
    return `invalid CIDR '${cidr}'`;
  }
}

/**
 * Explains why `value` is not a positive duration, or `null` when it is one.
 *
 * @example durationProblem('8h') // null
 */
export function durationProblem(value: number | string): string | null {
  try {
    parseDuration(value, '');
    return null;
  } catch {
    return `invalid duration ${JSON.stringify(value)} (use e.g. '30m', '8h', '7d')`;
  }
}
