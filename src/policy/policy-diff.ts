import { isInlineCidr } from './policy-references.js';
import type { PolicyDocument, PolicyRule } from './policy.types.js';
import { ruleInWords } from './rule-words.js';
import { canonicalJson } from './when-compiler.js';

/**
 * One rule that a new policy version adds or removes.
 *
 * @example const change: PolicyRuleChange = { role: 'editor', id: 'editor-own', rule: 'allows update on Article where {"authorId":"${user.id}"}' };
 */
export interface PolicyRuleChange {
  role: string;
  id: string;
  /** The rule in words ({@link ruleInWords}). */
  rule: string;
}

/**
 * What a new policy version grants and revokes, by rule. A changed rule is one revoked and one
 * granted; a rule whose named network now means other addresses counts as changed.
 *
 * @example
 * // { from: '3', to: '4', granted: [], revoked: [{ role: 'editor', id: 'editor-own', rule: '…' }],
 * //   forbidden: [], lifted: [], reordered: [], shrunkRoles: ['editor'] }
 */
export interface PolicyDiff {
  from: string;
  to: string;
  /** Allow rules that are new (or changed). */
  granted: PolicyRuleChange[];
  /** Allow rules that are gone (or changed). */
  revoked: PolicyRuleChange[];
  /** Prohibitions that are new (or changed). */
  forbidden: PolicyRuleChange[];
  /** Prohibitions that are gone (or changed). */
  lifted: PolicyRuleChange[];
  /** Roles where an allow rule that beat a prohibition (came after it) now comes before it. */
  reordered: string[];
  /** Roles that may now do less: a revoked grant, a new prohibition, or a reordering. */
  shrunkRoles: string[];
}

interface Keyed {
  role: string;
  rule: PolicyRule;
  key: string;
}

/**
 * Compares two validated policy documents rule by rule (ids and formatting do not matter; what a
 * rule means does, including the addresses of the networks it names).
 *
 * @example diffPolicies(before, after, '3', '4').shrunkRoles // ['editor']
 */
export function diffPolicies(
  previous: PolicyDocument,
  next: PolicyDocument,
  from: string,
  to: string,
): PolicyDiff {
  const diff: PolicyDiff = {
    from,
    to,
    granted: [],
    revoked: [],
    forbidden: [],
    lifted: [],
    reordered: [],
    shrunkRoles: [],
  };
  const roles = [...new Set([...Object.keys(previous.roles), ...Object.keys(next.roles)])];
  for (const role of roles) {
    const before = keyed(previous, [role]);
    const after = keyed(next, [role]);
    const added = minus(after, before);
    const removed = minus(before, after);
    for (const { rule } of added) {
      (rule.inverted ? diff.forbidden : diff.granted).push(change(role, rule));
    }
    for (const { rule } of removed) {
      (rule.inverted ? diff.lifted : diff.revoked).push(change(role, rule));
    }
    const reordered = reorderedAroundProhibition(before, after);
    if (reordered) diff.reordered.push(role);
    if (reordered || added.some((k) => k.rule.inverted) || removed.some((k) => !k.rule.inverted)) {
      diff.shrunkRoles.push(role);
    }
  }
  return diff;
}

/**
 * Whether a user holding exactly `roles` may do less under `next` than under `previous`: an allow
 * rule of those roles is gone, a prohibition is new, or an allow rule that beat a prohibition now
 * comes before it. A role in `previous` that another of the user's roles still grants the same way
 * does not shrink the set.
 *
 * @example roleSetShrinks(before, after, ['editor', 'viewer']) // true
 */
export function roleSetShrinks(
  previous: PolicyDocument,
  next: PolicyDocument,
  roles: readonly string[],
): boolean {
  const before = keyed(previous, roles);
  const after = keyed(next, roles);
  const beforeKeys = new Set(before.map((k) => k.key));
  const afterKeys = new Set(after.map((k) => k.key));
  if (before.some((k) => !k.rule.inverted && !afterKeys.has(k.key))) return true;
  if (after.some((k) => k.rule.inverted && !beforeKeys.has(k.key))) return true;
  return reorderedAroundProhibition(before, after);
}

/** The rules of `roles` in priority order (document role order, then rule order), each keyed. */
function keyed(document: PolicyDocument, roles: readonly string[]): Keyed[] {
  const wanted = new Set(roles);
  const networks = document.networks ?? {};
  return Object.entries(document.roles)
    .filter(([role]) => wanted.has(role))
    .flatMap(([role, rules]) =>
      rules.map((rule) => ({ role, rule, key: ruleKey(rule, networks) })),
    );
}

/** What a rule means, as text: every field but `id`, with named networks resolved. */
function ruleKey(rule: PolicyRule, networks: Record<string, string[]>): string {
  const { id: _id, when, ...rest } = rule;
  void _id;
  const resolve = (value: string | string[] | undefined) =>
    value === undefined
      ? undefined
      : [value]
          .flat()
          .flatMap((entry) => (isInlineCidr(entry) ? [entry] : (networks[entry] ?? [entry])))
          .sort();
  const meaning = when
    ? { ...when, network: resolve(when.network), notNetwork: resolve(when.notNetwork) }
    : undefined;
  return canonicalJson({
    ...rest,
    action: [rule.action].flat().sort(),
    subject: [rule.subject].flat().sort(),
    inverted: rule.inverted === true,
    when: meaning,
  });
}

/** The entries of `a` with no counterpart in `b` (as multisets of keys). */
function minus(a: Keyed[], b: Keyed[]): Keyed[] {
  const left = new Map<string, number>();
  for (const { key } of b) left.set(key, (left.get(key) ?? 0) + 1);
  return a.filter(({ key }) => {
    const count = left.get(key) ?? 0;
    if (count === 0) return true;
    left.set(key, count - 1);
    return false;
  });
}

/**
 * Whether an allow rule that came after an overlapping prohibition (and so beat it) now comes
 * before it. Positions are the last occurrence of each rule: the last one wins.
 */
function reorderedAroundProhibition(before: Keyed[], after: Keyed[]): boolean {
  const last = (list: Keyed[]) => new Map(list.map((k, index) => [k.key, index]));
  const [was, now] = [last(before), last(after)];
  const kept = [...new Map(before.map((k) => [k.key, k.rule])).entries()].filter(([key]) =>
    now.has(key),
  );
  for (const [pKey, prohibition] of kept) {
    if (!prohibition.inverted) continue;
    for (const [aKey, allow] of kept) {
      if (allow.inverted || !overlap(prohibition, allow)) continue;
      if (was.get(aKey)! > was.get(pKey)! && now.get(aKey)! < now.get(pKey)!) return true;
    }
  }
  return false;
}

function overlap(a: PolicyRule, b: PolicyRule): boolean {
  const meets = (x: string | string[], y: string | string[], any: string) => {
    const left = [x].flat();
    const right = [y].flat();
    return left.includes(any) || right.includes(any) || left.some((v) => right.includes(v));
  };
  return meets(a.action, b.action, 'manage') && meets(a.subject, b.subject, 'all');
}

function change(role: string, rule: PolicyRule): PolicyRuleChange {
  return { role, id: rule.id ?? '?', rule: ruleInWords(rule) };
}
