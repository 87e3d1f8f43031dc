import type { ScenarioResult } from './scenario.js';

/** The run as written to `test-results/faults.json`. */
export interface FaultReport {
  date: string;
  durationSeconds: number;
  machine: { nproc: number; node: string; loadavg: number[] };
  pass: boolean;
  scenarios: ScenarioResult[];
}

const cell = (value: number | null | undefined, unit = '') =>
  value === null || value === undefined ? '–' : `${value.toLocaleString('en-US')}${unit}`;

/** The report as a Markdown table plus, per scenario, the checks that failed. */
export function formatReport(report: FaultReport): string {
  const lines = [
    '| scenario | fault window | requests | sessions ended (probes) | served for ended (0) | 5xx outside window (0) | 503 inside | other 5xx inside (0) | hung > 10 s (0) | jobs exact | recovery | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const s of report.scenarios) {
    const c = s.counts;
    const window = s.windows.reduce((sum, w) => sum + w.ms, 0);
    const exact = s.jobs.filter((job) => job.exact).length;
    lines.push(
      `| ${s.title} | ${s.windows.length ? cell(window, ' ms') : '–'} | ${cell(c?.requests)} | ` +
        `${cell(c?.endedSessions)} (${cell(c?.endedProbes)}) | ${cell(c?.servedEnded)} | ` +
        `${cell(c?.serverErrorsOutside)} | ${cell(c?.unavailableInside)} | ` +
        `${cell(c?.otherServerErrorsInside)} | ${cell(c?.hung)} | ${exact}/${s.jobs.length} | ` +
        `${cell(c?.recoveryMs, ' ms')} | ${s.pass ? 'pass' : '**FAIL**'} |`,
    );
  }
  const failures = report.scenarios.filter((s) => !s.pass);
  if (failures.length > 0) {
    lines.push('', 'Failed:');
    for (const s of failures) {
      const failed = s.checks.filter((check) => !check.pass);
      const parts = failed.map((check) =>
        check.detail ? `${check.name} (${check.detail})` : check.name,
      );
      if (s.error) parts.unshift(`error: ${s.error.split('\n')[0]}`);
      const needs = s.dependsOn ? ` [needs ${s.dependsOn}]` : '';
      lines.push(`- ${s.name}${needs}: ${parts.join('; ')}`);
    }
  }
  lines.push(
    '',
    `${report.scenarios.filter((s) => s.pass).length} of ${report.scenarios.length} scenarios ` +
      `passed in ${report.durationSeconds} s (${report.date}, ${report.machine.nproc} cores, ` +
      `Node ${report.machine.node}, load ${report.machine.loadavg.map((l) => l.toFixed(1)).join(' ')}).`,
  );
  return lines.join('\n');
}
