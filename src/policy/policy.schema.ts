import { mongoQueryMatcher } from '@casl/ability';
import { z } from 'zod';
import { operatorProblems } from './condition-operators.js';
import { scanTemplates } from './condition-template.js';
import { cidrProblem, text, textOrList } from './schema-parts.js';
import { whenSchema } from './when.schema.js';

const NETWORK_NAME = /^[A-Za-z_][\w-]*$/;

const conditionsSchema = z
  .record(z.string(), z.unknown(), { error: 'expected an object of conditions' })
  .superRefine((conditions, ctx) => {
    const problems = [...scanTemplates(conditions).problems, ...operatorProblems(conditions)];
    for (const problem of problems) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
    if (problems.length > 0) return;
    try {
      mongoQueryMatcher(conditions as never);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `invalid conditions: ${(error as Error).message}` });
    }
  });

/**
 * One rule of a role: the CASL parts plus `when`. Unknown keys are errors.
 *
 * @example policyRuleSchema.parse({ action: 'read', subject: 'Article' })
 */
export const policyRuleSchema = z
  .strictObject(
    {
      id: text('rule id').optional(),
      action: textOrList('action'),
      subject: textOrList('subject'),
      conditions: conditionsSchema.optional(),
      fields: textOrList('field').optional(),
      inverted: z.boolean({ error: 'expected true or false' }).optional(),
      reason: text('reason').optional(),
      when: whenSchema.optional(),
    },
    { error: 'expected a rule object with action and subject' },
  )
  .superRefine((rule, ctx) => {
    if (rule.reason !== undefined && !rule.inverted) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'only a prohibition (inverted: true) carries a reason',
      });
    }
  });

const networksSchema = z.record(
  z.string().regex(NETWORK_NAME, 'network names are letters, digits, _ and -'),
  z
    .array(z.string({ error: 'expected a CIDR string' }), { error: 'expected a list of CIDRs' })
    .min(1, 'must list at least one CIDR')
    .pipe(
      z.custom<string[]>().superRefine((cidrs, ctx) => {
        cidrs.forEach((cidr, index) => {
          const problem = cidrProblem(cidr);
          if (problem) ctx.addIssue({ code: 'custom', path: [index], message: problem });
        });
      }),
    ),
  { error: 'expected an object of named CIDR lists' },
);

/**
 * The whole policy document. Cross references (named networks, auth levels, duplicate ids) are
 * checked afterwards by `validatePolicy`.
 *
 * @example policyDocumentSchema.safeParse(YAML.parse(text))
 */
export const policyDocumentSchema = z.strictObject(
  {
    version: z
      .union([z.number(), text('version')], { error: 'expected a number or a string' })
      .optional(),
    networks: networksSchema.optional(),
    roles: z.record(
      text('role name'),
      z.array(policyRuleSchema, { error: 'expected a list of rules' }),
      { error: 'expected an object of roles, each a list of rules' },
    ),
  },
  { error: 'expected a policy object with a `roles` key' },
);
