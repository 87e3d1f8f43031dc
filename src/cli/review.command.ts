import { writeFileSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { PermissionReview } from '../policy-review/permission-review.service.js';
import type { PermissionReviewReport } from '../policy-review/permission-review.types.js';
import { CliExit, EXIT, print, say } from './cli-io.js';
import type { CliRun } from './revoke.command.js';

/**
 * Flags of `review`.
 *
 * @example const flags: ReviewFlags = { format: 'csv', unusedDays: '30', out: 'review.csv' };
 */
export interface ReviewFlags {
  format?: string;
  unusedDays?: string;
  recentDays?: string;
  adminFreshHours?: string;
  adminRoles?: string;
  out?: string;
}

/**
 * `review`: the permission review of the app (audited as `policy.reviewed` with the actor), as
 * JSON (also with the global `--json`) or CSV, on stdout or into `--out`; without either, a
 * summary of the sections.
 */
export async function reviewCommand(
  context: INestApplicationContext,
  flags: ReviewFlags,
  run: CliRun,
): Promise<number> {
  const format = flags.format ?? (run.json ? 'json' : 'text');
  if (!['json', 'csv', 'text'].includes(format)) {
    throw new CliExit(EXIT.usage, `--format: must be json, csv or text, got '${flags.format}'`);
  }
  const review = context.get(PermissionReview, { strict: false });
  let report: PermissionReviewReport;
  try {
    report = await review.report({
      unusedDays: numberFlag(flags.unusedDays, '--unused-days'),
      recentDays: numberFlag(flags.recentDays, '--recent-days'),
      adminFreshHours: numberFlag(flags.adminFreshHours, '--admin-fresh-hours'),
      adminRoles: flags.adminRoles
        ?.split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      actor: run.actor,
      format: format === 'csv' ? 'csv' : 'json',
    });
  } catch (error) {
    if (error instanceof RangeError) throw new CliExit(EXIT.usage, error.message);
    throw error;
  }
  const output =
    format === 'csv'
      ? review.toCsv(report)
      : format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : null;
  if (flags.out && output !== null) {
    writeFileSync(flags.out, output, { mode: 0o600 });
    say(`wrote the permission review (${format}) to ${flags.out}`);
  } else if (output !== null) process.stdout.write(output);
  else if (run.json) print(report);
  else say(...summary(report));
  return EXIT.ok;
}

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw new CliExit(EXIT.usage, `${name}: must be a positive number, got '${value}'`);
  }
  return number;
}

function summary(report: PermissionReviewReport): string[] {
  const { settings } = report;
  const lines = [
    `permission review of policy ${report.policyVersion} (${report.policyOrigin}), ${report.generatedAt}`,
    `roles: ${new Set(report.roles.map((r) => r.role)).size}, rules: ${report.roles.length}`,
    ...report.roles.map((r) => `  ${r.role} ${r.ruleId}: ${r.inWords}`),
    `users with a live session: ${report.users.length}`,
    `role changes in the last ${settings.recentDays} days: ${report.roleChanges.length}`,
    ...report.roleChanges.map((c) => `  user ${c.userId} at ${c.at}: ${c.reason ?? ''}`),
  ];
  if (report.unusedGrants === null) {
    lines.push('grants not used: unknown (turn policy.decisionLog on to track rule use)');
  } else {
    lines.push(`grants not used for ${settings.unusedDays} days: ${report.unusedGrants.length}`);
    for (const g of report.unusedGrants) {
      lines.push(`  ${g.role} ${g.ruleId} (last used ${g.lastUsedAt ?? 'never'}): ${g.inWords}`);
    }
  }
  lines.push(
    `live sessions from before their user's last change: ${report.sessionsFromBeforeChange.length}`,
    ...report.sessionsFromBeforeChange.map(
      (s) => `  session ${s.sessionId} of user ${s.userId}, authenticated ${s.authenticatedAt}`,
    ),
    `admin sessions without a sign-in in ${settings.adminFreshHours} h: ${report.adminsWithoutFreshAuth.length}`,
    ...report.adminsWithoutFreshAuth.map(
      (a) => `  session ${a.sessionId} of user ${a.userId}, authenticated ${a.authenticatedAt}`,
    ),
  );
  if (report.truncated) lines.push('(only the newest sessions were read)');
  return lines;
}
