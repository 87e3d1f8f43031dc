import type { PolicyTrace, TracedRule } from '../policy/policy-trace.js';

const OUTCOME: Record<TracedRule['outcome'], string> = {
  decided: 'decided',
  overridden: 'applies, overridden by a later rule',
  conditional: 'only for instances matching its conditions',
  conditions_not_met: 'conditions not met by the instance',
  when_failed: 'when failed',
  no_template_value: 'left out: its template has no value for this user',
  not_relevant: 'about another action or subject',
};

/**
 * The trace of a decision as lines of text: the answer, then every rule about the action and
 * subject (and how many others there were), each with what became of it.
 *
 * @example formatTrace(policyService.trace(user, 'read', 'Report', context)).join('\n')
 * // denied (outside_allowed_hours): read Report
 * //   editor-reports (editor): when failed — outside_allowed_hours: Sat 23:10 in Europe/Berlin is outside Mon-Fri 08:00-20:00
 */
export function formatTrace(trace: PolicyTrace, indent = ''): string[] {
  const relevant = trace.rules.filter((rule) => rule.relevant);
  const others = trace.rules.length - relevant.length;
  const answer = trace.allowed ? 'allowed' : 'denied';
  const lines = [
    `${indent}${answer}${trace.reason ? ` (${trace.reason})` : ''}: ${trace.action} ${trace.subjectType}` +
      `${trace.decidingRule ? `, decided by ${trace.decidingRule.id}` : ', no rule decided'}` +
      `${trace.conditional ? ' (conditional: ask with an instance)' : ''}`,
    ...relevant.map((rule) => `${indent}  ${describeRule(rule)}`),
  ];
  if (relevant.length === 0) lines.push(`${indent}  no rule of these roles is about this`);
  if (others > 0)
    lines.push(
      `${indent}  (${others} other rule${others === 1 ? '' : 's'} of these roles: about another action or subject)`,
    );
  return lines;
}

function describeRule(rule: TracedRule): string {
  const kind = rule.inverted ? 'forbids' : 'allows';
  const where = rule.role === null ? rule.origin : rule.role;
  const text = `${rule.id} (${where}, ${kind}): ${OUTCOME[rule.outcome]}`;
  return rule.when.status === 'failed'
    ? `${text} — ${rule.when.reason}: ${rule.when.detail}`
    : text;
}
