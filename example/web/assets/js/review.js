import { api } from './api.js';
import { byId, el, formatTime, replace } from './dom.js';
import { action, startPage, status } from './shell.js';

const me = await startPage('review', { adminOnly: true });
if (me) {
  byId('review-filter').addEventListener(
    'submit',
    action(async (event) => {
      event.preventDefault();
      await load();
    }),
  );
  await action(load)();
}

async function load() {
  const days = byId('unused-days').value.trim();
  const query = days ? `?unusedDays=${encodeURIComponent(days)}` : '';
  byId('review-csv').setAttribute('href', `/admin/policy/review/csv${query}`);
  const report = await api('GET', `/admin/policy/review${query}`);
  replace(
    byId('review-rules').tBodies[0],
    ...report.roles.map((rule) =>
      el(
        'tr',
        { 'data-rule': rule.ruleId, 'data-effect': rule.effect },
        el('td', {}, rule.role),
        el('td', {}, el('code', {}, rule.ruleId)),
        el('td', {}, rule.inWords),
      ),
    ),
  );
  byId('review-unused-note').textContent =
    report.unusedGrants === null
      ? 'Unknown: rule use is tracked only with the decision log on (POLICY_DECISION_LOG).'
      : `${report.unusedGrants.length} grant(s) decided nothing for ${report.settings.unusedDays} days.`;
  list(
    'review-unused',
    (report.unusedGrants ?? []).map(
      (grant) =>
        `${grant.role} ${grant.ruleId} (last used ${grant.lastUsedAt ? formatTime(grant.lastUsedAt) : 'never'}): ${grant.inWords}`,
    ),
  );
  list(
    'review-changes',
    report.roleChanges.map(
      (change) => `user ${change.userId}, ${formatTime(change.at)}: ${change.reason ?? ''}`,
    ),
  );
  list(
    'review-stale',
    report.sessionsFromBeforeChange.map(
      (s) => `user ${s.userId}, signed in ${formatTime(s.authenticatedAt)}`,
    ),
  );
  list(
    'review-admins',
    report.adminsWithoutFreshAuth.map(
      (s) => `user ${s.userId}, signed in ${formatTime(s.authenticatedAt)}`,
    ),
  );
  status(`Reviewed policy ${report.policyVersion}.`);
}

function list(id, lines) {
  replace(byId(id), ...(lines.length ? lines : ['none']).map((line) => el('li', {}, line)));
}
