import type { RawRuleOf } from '@casl/ability';
import { interpolate, scanTemplates, type TemplatePath } from './condition-template.js';
import type { ResolvedPolicyConfig } from './policy-config.js';
import type { PolicyAbility, PolicyUser } from './policy.types.js';
import { compileWhen, type CompiledWhen } from './when-compiler.js';

/**
 * A CASL raw rule as the engine feeds it to `createMongoAbility`.
 *
 * @example const raw: PolicyRawRule = { action: 'read', subject: 'Article' };
 */
export type PolicyRawRule = RawRuleOf<PolicyAbility>;

/**
 * One rule of the document, compiled once at startup.
 *
 * @example compiled.rule.id // 'editor[1]'
 */
export interface CompiledRule {
  id: string;
  origin: string;
  /** The role the rule belongs to (`null` for rules added by `defineAbility`). */
  role: string | null;
  actions: readonly string[];
  subjects: readonly string[];
  inverted: boolean;
  reason: string | null;
  /** Template paths its conditions use; empty for a static rule. */
  templates: readonly TemplatePath[];
  when: CompiledWhen | null;
  /** The CASL rule (templates not yet filled in). */
  raw: PolicyRawRule;
}

/**
 * The rules of one set of roles in priority order, with the distinct `when` blocks they use.
 *
 * @example policy.roleSet(['editor', 'viewer']).whens.length
 */
export interface RoleSet {
  /** Policy version and sorted role names; the start of every cache key of this set. */
  key: string;
  rules: readonly CompiledRule[];
  whens: readonly CompiledWhen[];
  /** For each rule, the index of its `when` in `whens`, or -1. */
  whenIndex: readonly number[];
  /** Template paths used by any rule of the set: they become part of the cache key. */
  userPaths: readonly TemplatePath[];
}

const RULE_META = new WeakMap<object, CompiledRule>();

/**
 * The compiled rule a CASL rule was built from (via the `origin` raw rule CASL keeps).
 *
 * @example ruleMeta(ability.relevantRuleFor('read', 'Article')!.origin)?.id
 */
export function ruleMeta(raw: object): CompiledRule | undefined {
  return RULE_META.get(raw);
}

/**
 * Registers the compiled rule behind a raw rule, e.g. one added by `defineAbility`.
 *
 * @example linkRuleMeta(raw, compiled)
 */
export function linkRuleMeta(raw: object, rule: CompiledRule): void {
  RULE_META.set(raw, rule);
}

/**
 * The validated document compiled into per-role rule lists; role sets are assembled on first use
 * and kept (bounded) for reuse.
 *
 * @example new CompiledPolicy(config).roleSet(user.roles)
 */
export class CompiledPolicy {
  private readonly byRole = new Map<string, CompiledRule[]>();
  private readonly roleOrder: string[];
  private readonly roleSets = new Map<string, RoleSet>();
  /** Whether any rule looks at the request's country (so the guard can skip geo lookups). */
  readonly usesCountry: boolean;

  constructor(private readonly config: ResolvedPolicyConfig) {
    const { document, origin, levels } = config;
    const networks = document.networks ?? {};
    const whens = new Map<string, CompiledWhen>();
    this.roleOrder = Object.keys(document.roles);
    for (const role of this.roleOrder) {
      this.byRole.set(
        role,
        document.roles[role].map((rule, index) => {
          const raw = {
            action: rule.action,
            subject: rule.subject,
            ...(rule.conditions ? { conditions: rule.conditions } : {}),
            ...(rule.fields ? { fields: rule.fields } : {}),
            ...(rule.inverted ? { inverted: true } : {}),
            ...(rule.reason ? { reason: rule.reason } : {}),
          } as PolicyRawRule;
          let when: CompiledWhen | null = null;
          if (rule.when) {
            const fresh = compileWhen(rule.when, networks, levels);
            when = whens.get(fresh.key) ?? fresh;
            whens.set(when.key, when);
          }
          const compiled: CompiledRule = {
            id: rule.id ?? `${role}[${index}]`,
            origin,
            role,
            actions: [rule.action].flat(),
            subjects: [rule.subject].flat(),
            inverted: rule.inverted === true,
            reason: rule.reason ?? null,
            templates: [...scanTemplates(rule.conditions ?? {}).paths],
            when,
            raw,
          };
          linkRuleMeta(raw, compiled);
          return compiled;
        }),
      );
    }
    this.usesCountry = [...whens.values()].some((when) => when.country || when.notCountry);
  }

  /** The role set of a user; roles the policy does not define contribute nothing. */
  roleSet(roles: readonly string[]): RoleSet {
    const lookup = roles.join('\u0000');
    const cached = this.roleSets.get(lookup);
    if (cached) return cached;
    const wanted = new Set(roles);
    const names = this.roleOrder.filter((role) => wanted.has(role));
    const key = `${this.config.version}|${JSON.stringify([...names].sort())}`;
    const shared = [...this.roleSets.values()].find((set) => set.key === key);
    const set = shared ?? this.assemble(key, names);
    if (this.roleSets.size >= 1000) this.roleSets.clear();
    this.roleSets.set(lookup, set);
    return set;
  }

  private assemble(key: string, names: string[]): RoleSet {
    const rules = names.flatMap((role) => this.byRole.get(role) ?? []);
    const whens: CompiledWhen[] = [];
    const whenIndex = rules.map((rule) => {
      if (!rule.when) return -1;
      const at = whens.indexOf(rule.when);
      return at >= 0 ? at : whens.push(rule.when) - 1;
    });
    const userPaths = [...new Set(rules.flatMap((rule) => rule.templates))].sort();
    return { key, rules, whens, whenIndex, userPaths };
  }
}

/**
 * The CASL raw rules of a role set for one user and one `when` outcome (`'1'` = passed). A rule
 * whose `when` failed is left out; an allow rule whose template has no value (e.g. no tenant) is
 * left out; a prohibition keeps applying with `null`.
 *
 * @param forced index of a rule to include whatever its `when` outcome (for denial reasons)
 * @example rawRulesFor(set, '10', user)
 */
export function rawRulesFor(
  set: RoleSet,
  outcomes: string,
  user: PolicyUser,
  forced = -1,
): PolicyRawRule[] {
  const out: PolicyRawRule[] = [];
  set.rules.forEach((rule, index) => {
    const whenAt = set.whenIndex[index];
    if (whenAt >= 0 && outcomes[whenAt] !== '1' && index !== forced) return;
    if (rule.templates.length === 0) {
      out.push(rule.raw);
      return;
    }
    const conditions = rule.raw.conditions as Record<string, unknown>;
    const { value, missing } = interpolate(conditions, user);
    if (missing && !rule.inverted) return;
    const raw = { ...rule.raw, conditions: value } as PolicyRawRule;
    linkRuleMeta(raw, rule);
    out.push(raw);
  });
  return out;
}
