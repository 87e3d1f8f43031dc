import type { PolicyTrace } from '../policy/policy-trace.js';
import type { PolicyDocument } from '../policy/policy.types.js';

/**
 * Which rules of a policy its tests exercised: a rule is covered when it decided at least one
 * test; a `when` block has two branches, each covered when a test about the rule's action and
 * subject saw it hold (`passed`) or fail (`failed`).
 *
 * @example
 * // { rules: [{ id: 'editor-own', role: 'editor', decided: 2 }], whens: [...],
 * //   uncovered: ["when of 'editor-reports' never failed in a test"], complete: false }
 */
export interface PolicyCoverage {
  rules: { id: string; role: string; decided: number }[];
  whens: { ruleId: string; passed: number; failed: number }[];
  /** One sentence per rule never deciding a test and per `when` branch never exercised. */
  uncovered: string[];
  /** Nothing is uncovered. */
  complete: boolean;
}

/**
 * Counts, over the traces of every test run against one policy, what each rule did.
 *
 * @example coverageOf(config.document, results.map((result) => result.trace))
 */
export function coverageOf(
  document: PolicyDocument,
  traces: readonly PolicyTrace[],
): PolicyCoverage {
  const rules = Object.entries(document.roles).flatMap(([role, list]) =>
    list.map((rule, index) => ({ id: rule.id ?? `${role}[${index}]`, role, decided: 0 })),
  );
  const whens = Object.values(document.roles)
    .flat()
    .filter((rule) => rule.when !== undefined)
    .map((rule) => ({ ruleId: rule.id!, passed: 0, failed: 0 }));
  const ruleAt = new Map(rules.map((rule) => [rule.id, rule]));
  const whenAt = new Map(whens.map((when) => [when.ruleId, when]));
  for (const trace of traces) {
    for (const traced of trace.rules) {
      if (traced.outcome === 'decided') {
        const rule = ruleAt.get(traced.id);
        if (rule) rule.decided++;
      }
      const when = whenAt.get(traced.id);
      if (!when || !traced.relevant) continue;
      if (traced.when.status === 'passed') when.passed++;
      if (traced.when.status === 'failed') when.failed++;
    }
  }
  const uncovered = [
    ...rules
      .filter((rule) => rule.decided === 0)
      .map((rule) => `rule '${rule.id}' (${rule.role}) never decided a test`),
    ...whens.flatMap((when) => [
      ...(when.passed === 0 ? [`when of '${when.ruleId}' never held in a test`] : []),
      ...(when.failed === 0 ? [`when of '${when.ruleId}' never failed in a test`] : []),
    ]),
  ];
  return { rules, whens, uncovered, complete: uncovered.length === 0 };
}
