import { subject as asSubject } from '@casl/ability';
import { z } from 'zod';
import { parseDuration, type Duration } from '../common/duration.js';
import { InvalidRequestException } from '../errors/session-security.exception.js';
import { parseIp } from '../network/client-ip.js';
import { parseInstant } from './date-range.js';
import { durationProblem } from './schema-parts.js';
import { isKnownTimeZone } from './time-window.js';
import type { PolicyContext, PolicyUser } from './policy.types.js';

const id = z.union([z.string().min(1).max(128), z.number().finite()], {
  error: 'expected a non-empty string or a number',
});
const name = z.string().min(1, 'must not be empty').max(128);

/**
 * The principal of a what-if question or a policy test: an id, roles and the attributes rules
 * may use (`tenantId`; anything else is passed to code-first rules).
 *
 * @example principalSchema.parse({ id: 2, roles: ['editor'] })
 */
export const principalSchema = z.strictObject({
  id,
  roles: z.array(name).max(64),
  tenantId: id.nullable().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The request facts of a what-if question: when (ISO date-time; one without an offset is read in
 * `tz`, default UTC), from where, how strongly authenticated, how old the session is.
 *
 * @example policyFactsShape.at.parse('2026-03-02T10:00')
 */
export const policyFactsShape = {
  at: z.string().max(64).optional(),
  tz: z.string().max(64).optional(),
  ip: z.string().max(64).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as DE')
    .optional(),
  authLevel: name.optional(),
  sessionAge: z.union([z.string().max(32), z.number()]).optional(),
  remembered: z.boolean({ error: 'expected true or false' }).optional(),
  impersonated: z.boolean({ error: 'expected true or false' }).optional(),
};

/**
 * "May this principal do this action on this subject (type, or an instance with these
 * attributes), at that time, from there?" — the what-if question.
 *
 * @example
 * const question: PolicyQuestion = {
 *   as: { id: 2, roles: ['editor'] }, action: 'read', subject: 'Report',
 *   at: '2026-03-28T23:10', tz: 'Europe/Berlin', ip: '10.0.0.7',
 * };
 */
export interface PolicyQuestion {
  as: {
    id: string | number;
    roles: string[];
    tenantId?: string | number | null;
    attributes?: Record<string, unknown>;
  };
  action: string;
  subject: string;
  /** Attributes of the instance; omitted: the subject type is asked about. */
  resource?: Record<string, unknown>;
  at?: string;
  tz?: string;
  ip?: string;
  country?: string;
  authLevel?: string;
  sessionAge?: Duration;
  /** Whether the session is a remembered (remember-me) one; left out: unknown. */
  remembered?: boolean;
  /** Whether the session is an impersonation one (an admin acting as the user); left out: unknown. */
  impersonated?: boolean;
}

const questionSchema = z.strictObject({
  as: principalSchema,
  action: name,
  subject: name,
  resource: z.record(z.string(), z.unknown()).optional(),
  ...policyFactsShape,
});

/**
 * A question made ready for `PolicyService.explain()` / `trace()`.
 *
 * @example const { user, action, subject, context } = parsePolicyQuestion(body, clock.now());
 */
export interface PolicyCheck {
  user: PolicyUser;
  action: string;
  subject: object | string;
  context: PolicyContext;
}

/**
 * Problems with the facts of a question, each as `<path>: <problem>`; empty when usable.
 *
 * @example factProblems({ tz: 'Europe/Berlim' }) // ["tz: unknown time zone 'Europe/Berlim'"]
 */
export function factProblems(
  facts: { at?: string; tz?: string; ip?: string; sessionAge?: Duration },
  prefix = '',
): string[] {
  const problems: string[] = [];
  const tz = facts.tz ?? 'UTC';
  if (facts.tz !== undefined && !isKnownTimeZone(facts.tz)) {
    problems.push(`${prefix}tz: unknown time zone '${facts.tz}'`);
  } else if (facts.at !== undefined && parseInstant(facts.at, tz, 'start') === null) {
    problems.push(`${prefix}at: not an ISO date or date-time '${facts.at}'`);
  }
  if (facts.ip !== undefined && (facts.ip.includes('/') || parseIp(facts.ip) === null)) {
    problems.push(`${prefix}ip: not an IP address '${facts.ip}'`);
  }
  if (facts.sessionAge !== undefined) {
    const problem = durationProblem(facts.sessionAge);
    if (problem) problems.push(`${prefix}sessionAge: ${problem}`);
  }
  return problems;
}

/**
 * The request context of checked facts; a fact left out is unknown (no address, no country, no
 * auth level, no session age), and unknown facts never satisfy a `when` condition.
 *
 * @param now the instant when `at` is not given
 * @example contextOf({ at: '2026-03-02T10:00', tz: 'Europe/Berlin', ip: '10.0.0.7' }, Date.now())
 */
export function contextOf(
  facts: Pick<
    PolicyQuestion,
    'at' | 'tz' | 'ip' | 'country' | 'authLevel' | 'sessionAge' | 'remembered' | 'impersonated'
  >,
  now: number,
): PolicyContext {
  const at = facts.at === undefined ? now : parseInstant(facts.at, facts.tz ?? 'UTC', 'start')!;
  const created =
    facts.sessionAge === undefined ? null : at - parseDuration(facts.sessionAge, 'sessionAge');
  return {
    now: at,
    ip: facts.ip ?? '',
    country: facts.country?.toUpperCase() ?? null,
    authLevel: facts.authLevel ?? null,
    sessionCreatedAt: created,
    authenticatedAt: created,
    remembered: facts.remembered ?? null,
    impersonated: facts.impersonated ?? null,
  };
}

/**
 * The subject to check: the type, or an instance of it tagged with the type.
 *
 * @example subjectOf('Article', { authorId: 2 })
 */
export function subjectOf(type: string, resource?: Record<string, unknown>): object | string {
  return resource === undefined ? type : asSubject(type, { ...resource });
}

/**
 * Validates a what-if question (e.g. a request body) and turns it into a check.
 *
 * @param now the instant used when the question gives no `at`
 * @throws InvalidRequestException (400 `invalid_request`) naming every bad field
 * @example policyService.trace(...Object.values(parsePolicyQuestion(body, Date.now())))
 */
export function parsePolicyQuestion(input: unknown, now: number): PolicyCheck {
  const parsed = questionSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidRequestException(
      parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        .join('; '),
    );
  }
  const question = parsed.data;
  const problems = factProblems(question);
  if (problems.length > 0) throw new InvalidRequestException(problems.join('; '));
  const { id: userId, roles, tenantId, attributes } = question.as;
  return {
    user: { ...attributes, id: userId, roles, tenantId: tenantId ?? null },
    action: question.action,
    subject: subjectOf(question.subject, question.resource),
    context: contextOf(question, now),
  };
}
