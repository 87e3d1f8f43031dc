import type { Rule } from '@casl/ability';
import type { PolicyAbility } from './policy.types.js';

/**
 * A CASL rule of a {@link PolicyAbility}.
 *
 * @example const rule: CaslRule | null = ability.relevantRuleFor('read', 'Article');
 */
export type CaslRule = Rule<any, any>;

/**
 * The outcome of checking one action on a subject.
 *
 * @example const result: AccessCheck = { allowed: false, rule: null, conditional: true };
 */
export interface AccessCheck {
  allowed: boolean;
  /** The CASL rule that decided, if one did. */
  rule: CaslRule | null;
  /** Some rule grants this only for instances matching its conditions. */
  conditional: boolean;
}

/**
 * Checks `action` on a subject. For an instance this is CASL's own decision. For a subject *type*
 * it is stricter than CASL's `can`: the answer is "allowed on every instance", so a conditional
 * allow rule never grants it and a conditional prohibition denies it — instance conditions are
 * never skipped; load the instance to decide.
 *
 * @example checkAccess(ability, 'update', 'Article').conditional // true for owner-only rules
 */
export function checkAccess(
  ability: PolicyAbility,
  action: string,
  subject: object | string,
  field?: string,
): AccessCheck {
  if (typeof subject !== 'string' && typeof subject !== 'function') {
    const rule = ability.relevantRuleFor(action, subject as never, field);
    return { allowed: rule !== null && !rule.inverted, rule, conditional: false };
  }
  let conditional = false;
  for (const rule of ability.rulesFor(action, subject as never, field)) {
    if (!rule.conditions) return { allowed: !rule.inverted, rule, conditional };
    conditional = true;
    if (rule.inverted) return { allowed: false, rule: null, conditional };
  }
  return { allowed: false, rule: null, conditional };
}

/**
 * Whether a rule is about this action and subject type (`manage` and `all` match anything).
 *
 * @example ruleConcerns(['read'], ['Article'], 'read', 'Article') // true
 */
export function ruleConcerns(
  actions: readonly string[],
  subjects: readonly string[],
  action: string,
  subjectType: string,
): boolean {
  return (
    (actions.includes(action) || actions.includes('manage')) &&
    (subjects.includes(subjectType) || subjects.includes('all'))
  );
}
