import type { PermissionReviewReport } from './permission-review.types.js';

const COLUMNS = [
  'section',
  'role',
  'rule',
  'user',
  'session',
  'effect',
  'actions',
  'subjects',
  'conditions',
  'when',
  'at',
  'detail',
] as const;

type Row = Partial<Record<(typeof COLUMNS)[number], string | number | boolean | null>>;

/**
 * The permission review as one CSV table (RFC 4180, a header row, one row per entry with its
 * `section`). Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) are
 * prefixed with `'`.
 *
 * @example writeFileSync('review.csv', reviewToCsv(await review.report()));
 */
export function reviewToCsv(report: PermissionReviewReport): string {
  const rows: Row[] = [
    ...report.roles.map((r) => ({
      section: 'role_rule',
      role: r.role,
      rule: r.ruleId,
      effect: r.effect,
      actions: r.actions.join(' '),
      subjects: r.subjects.join(' '),
      conditions: r.conditions,
      when: r.when,
      detail: r.inWords,
    })),
    ...report.users.map((u) => ({
      section: 'user',
      user: u.userId,
      role: u.roles.join(' '),
      detail: `${u.liveSessions} live session(s)`,
    })),
    ...report.roleChanges.map((c) => ({
      section: 'role_change',
      user: c.userId,
      at: c.at,
      detail: `${c.reason ?? ''}${c.actor ? ` by ${c.actor}` : ''}`,
    })),
    ...(report.unusedGrants ?? []).map((g) => ({
      section: 'unused_grant',
      role: g.role,
      rule: g.ruleId,
      at: g.lastUsedAt ?? 'never',
      detail: g.inWords,
    })),
    ...(report.unusedGrants === null
      ? [{ section: 'unused_grant', detail: 'unknown: the decision log is off' }]
      : []),
    ...report.sessionsFromBeforeChange.map((s) => ({
      section: 'session_before_change',
      user: s.userId,
      session: s.sessionId,
      role: s.roles.join(' '),
      at: s.authenticatedAt,
      detail: `changed ${s.changedAt}${s.reauthRequired ? ', re-authentication required' : ''}`,
    })),
    ...report.adminsWithoutFreshAuth.map((a) => ({
      section: 'admin_without_fresh_auth',
      user: a.userId,
      session: a.sessionId,
      role: a.roles.join(' '),
      at: a.authenticatedAt,
      detail: `auth level ${a.authLevel}`,
    })),
  ];
  const lines = [
    COLUMNS.join(','),
    ...rows.map((row) => COLUMNS.map((c) => cell(row[c])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
