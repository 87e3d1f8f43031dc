import { formatTrace } from './format-trace.js';
import type {
  PolicyTestOutcome,
  PolicyTestReport,
  PolicyTestResult,
} from './policy-test-runner.js';

/**
 * A report as text: one line per failed test with a `- expected / + actual` diff of the fields
 * that differ and the trace of the decision, a summary, and the coverage of rules and `when`
 * branches never exercised.
 *
 * @example process.stdout.write(formatPolicyTestReport(report));
 */
export function formatPolicyTestReport(report: PolicyTestReport): string {
  const lines: string[] = [`policy ${report.origin} (version ${report.policyVersion})`];
  for (const result of report.results) {
    if (result.passed) lines.push(`  ✓ ${result.name}`);
    else lines.push(...failureLines(result, '  '));
  }
  const total = report.results.length;
  lines.push(
    `${total - report.failed} of ${total} tests passed${report.failed ? `, ${report.failed} failed` : ''}`,
  );
  const { coverage } = report;
  const decided = coverage.rules.filter((rule) => rule.decided > 0).length;
  const branches = coverage.whens.length * 2;
  const covered = coverage.whens.reduce(
    (sum, when) => sum + (when.passed > 0 ? 1 : 0) + (when.failed > 0 ? 1 : 0),
    0,
  );
  lines.push(
    `coverage: ${decided} of ${coverage.rules.length} rules decided a test, ${covered} of ${branches} when branches exercised`,
  );
  for (const line of coverage.uncovered) lines.push(`  not covered: ${line}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One failed test as text: its name and place, a `- expected / + actual` diff of the fields that
 * differ, problems of the test itself, and the trace of the decision.
 *
 * @example throw new Error(formatPolicyTestFailure(result));
 */
export function formatPolicyTestFailure(result: PolicyTestResult): string {
  return `${failureLines(result, '').join('\n')}\n`;
}

function failureLines(result: PolicyTestResult, indent: string): string[] {
  const inner = `${indent}    `;
  const lines = [`${indent}✗ ${result.name}  (${result.file}, tests[${result.index}])`];
  for (const note of result.notes) lines.push(`${inner}! ${note}`);
  if (result.mismatches.length > 0) lines.push(`${inner}- expected`, `${inner}+ actual`);
  for (const field of result.mismatches) {
    lines.push(`${inner}- ${field}: ${show(result.expected, field)}`);
    lines.push(`${inner}+ ${field}: ${show(result.actual, field)}`);
  }
  lines.push(`${inner}why:`, ...formatTrace(result.trace, inner));
  return lines;
}

function show(outcome: Partial<PolicyTestOutcome>, field: keyof PolicyTestOutcome): string {
  const value = outcome[field];
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  return value === null || value === undefined ? '(none)' : value;
}
