import { checkAccess, ruleConcerns, type CaslRule } from './access-check.js';
import { ruleMeta, type CompiledRule, type RoleSet } from './policy-compiler.js';
import type { PolicyExplanation } from './policy-decision.types.js';
import type { PolicyAbility, WhenReason } from './policy.types.js';
import { evaluateWhen, type WhenEnv } from './when-evaluator.js';

/**
 * How a rule's `when` block came out: absent, held, or failed with a reason and a sentence.
 *
 * @example const when: TracedWhen = { status: 'failed', reason: 'network_not_allowed', detail: "client address '203.0.113.9' is not allowed (network: internal; notNetwork: -)" };
 */
export type TracedWhen =
  | { status: 'none' }
  | { status: 'passed' }
  | { status: 'failed'; reason: WhenReason; detail: string };

/**
 * What became of one rule in a decision:
 * - `decided` — the rule CASL picked;
 * - `overridden` — it applies, but a later (higher-priority) rule decided;
 * - `conditional` — a subject type was asked and the rule only grants or forbids matching
 *   instances (ask again with an instance);
 * - `conditions_not_met` — the instance does not match its `conditions`;
 * - `when_failed` — its `when` block failed, so it was left out;
 * - `no_template_value` — an allow rule whose `${user.…}` template has no value (left out);
 * - `not_relevant` — it is about another action or subject type.
 *
 * @example const outcome: TracedRuleOutcome = 'when_failed';
 */
export type TracedRuleOutcome =
  | 'decided'
  | 'overridden'
  | 'conditional'
  | 'conditions_not_met'
  | 'when_failed'
  | 'no_template_value'
  | 'not_relevant';

/**
 * One rule of the user's roles as the decision saw it.
 *
 * @example const traced: TracedRule = { id: 'admin-all', role: 'admin', origin: 'options', inverted: false, relevant: true, when: { status: 'passed' }, conditions: 'none', outcome: 'decided' };
 */
export interface TracedRule {
  id: string;
  /** The role it belongs to; `null` for code-first (`defineAbility`) rules. */
  role: string | null;
  origin: string;
  inverted: boolean;
  /** About the asked action and subject type (`manage` and `all` included). */
  relevant: boolean;
  when: TracedWhen;
  /** The resource `conditions`: none, matched by the instance, not matched, or not checked. */
  conditions: 'none' | 'matched' | 'not_matched' | 'not_checked';
  outcome: TracedRuleOutcome;
}

/**
 * `explain()` plus every rule of the user's roles in priority order (lowest first, as in the
 * document) and what became of it: the full what-if answer.
 *
 * @example
 * const trace: PolicyTrace = policyService.trace(user, 'read', 'Report', context);
 * trace.rules.filter((rule) => rule.outcome === 'when_failed');
 */
export interface PolicyTrace extends PolicyExplanation {
  action: string;
  subjectType: string;
  rules: TracedRule[];
}

/**
 * Builds the trace of one check from the pieces of a `PolicyEvaluation`.
 *
 * @example traceRules(set, outcomes, env, ability, 'read', 'Report', 'Report')
 */
export function traceRules(
  set: RoleSet,
  outcomes: string,
  env: WhenEnv,
  ability: PolicyAbility,
  action: string,
  subject: object | string,
  subjectType: string,
): TracedRule[] {
  const instance = typeof subject !== 'string' && typeof subject !== 'function';
  const caslRules = ability.rulesFor(action, subjectType);
  const byCompiled = new Map<CompiledRule, CaslRule>();
  for (const rule of caslRules) {
    const meta = ruleMeta(rule.origin);
    if (meta) byCompiled.set(meta, rule);
  }
  const decider = checkAccess(ability, action, subject).rule;
  const traced = (rule: CompiledRule, when: TracedWhen): TracedRule => {
    const relevant = ruleConcerns(rule.actions, rule.subjects, action, subjectType);
    const casl = byCompiled.get(rule);
    const hasConditions = rule.raw.conditions !== undefined;
    let conditions: TracedRule['conditions'] = hasConditions ? 'not_checked' : 'none';
    if (casl && hasConditions && instance) {
      conditions = casl.matchesConditions(subject as never) ? 'matched' : 'not_matched';
    }
    return {
      id: rule.id,
      role: rule.role,
      origin: rule.origin,
      inverted: rule.inverted,
      relevant,
      when,
      conditions,
      outcome: outcomeOf(relevant, when, casl, decider, conditions),
    };
  };
  const out = set.rules.map((rule, index) => {
    const at = set.whenIndex[index];
    if (at < 0) return traced(rule, { status: 'none' });
    if (outcomes[at] === '1') return traced(rule, { status: 'passed' });
    const result = evaluateWhen(set.whens[at], env);
    if (result.pass) return traced(rule, { status: 'passed' });
    return traced(rule, { status: 'failed', reason: result.reason, detail: result.detail });
  });
  // Code-first rules are not in the role set: they come last, with the priority they have.
  for (const rule of [...caslRules].reverse()) {
    const meta = ruleMeta(rule.origin);
    if (meta && !set.rules.includes(meta)) out.push(traced(meta, { status: 'none' }));
  }
  return out;
}

function outcomeOf(
  relevant: boolean,
  when: TracedWhen,
  casl: CaslRule | undefined,
  decider: CaslRule | null,
  conditions: TracedRule['conditions'],
): TracedRuleOutcome {
  if (!relevant) return 'not_relevant';
  if (when.status === 'failed') return 'when_failed';
  if (!casl) return 'no_template_value';
  if (conditions === 'not_matched') return 'conditions_not_met';
  if (casl === decider) return 'decided';
  if (conditions === 'not_checked') return 'conditional';
  return 'overridden';
}
