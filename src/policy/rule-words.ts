import type { PolicyRule, WhenBlock } from './policy.types.js';

/**
 * A `when` block in words, in the vocabulary of `explain()`'s failure details
 * (`Mon-Fri 08:00-20:00 in Europe/Berlin`, `network: internal`), conditions joined by "and".
 *
 * @example whenInWords({ hours: { days: 'Mon-Fri', from: '08:00', to: '20:00', tz: 'Europe/Berlin' } })
 * // 'Mon-Fri 08:00-20:00 in Europe/Berlin'
 */
export function whenInWords(when: WhenBlock): string {
  const parts: string[] = [];
  if (when.dates) {
    const { from, to, tz } = when.dates;
    parts.push(`from ${from ?? '…'} to ${to ?? '…'} (${tz ?? 'UTC'})`);
  }
  if (when.hours) {
    const days = when.hours.days === undefined ? 'every day' : [when.hours.days].flat().join(',');
    parts.push(`${days} ${when.hours.from}-${when.hours.to} in ${when.hours.tz}`);
  }
  if (when.network !== undefined) parts.push(`network: ${list(when.network)}`);
  if (when.notNetwork !== undefined) parts.push(`not from network: ${list(when.notNetwork)}`);
  if (when.country) parts.push(`country: ${list(when.country)}`);
  if (when.notCountry) parts.push(`not from country: ${list(when.notCountry)}`);
  if (when.authLevel !== undefined) parts.push(`auth level at least ${when.authLevel}`);
  if (when.maxSessionAge !== undefined) {
    parts.push(`session at most ${String(when.maxSessionAge)} old`);
  }
  return parts.join(' and ');
}

/**
 * A rule in one line: what it allows or forbids, on which instances, and when.
 *
 * @example ruleInWords({ action: 'update', subject: 'Article', conditions: { authorId: '${user.id}' } })
 * // 'allows update on Article where {"authorId":"${user.id}"}'
 */
export function ruleInWords(rule: PolicyRule): string {
  let text = `${rule.inverted ? 'forbids' : 'allows'} ${list(rule.action)} on ${list(rule.subject)}`;
  if (rule.fields !== undefined) text += ` (fields ${list(rule.fields)})`;
  if (rule.conditions) text += ` where ${JSON.stringify(rule.conditions)}`;
  if (rule.when) text += `, only when ${whenInWords(rule.when)}`;
  if (rule.reason) text += ` (reason ${rule.reason})`;
  return text;
}

function list(value: string | string[]): string {
  return [value].flat().join(', ');
}
