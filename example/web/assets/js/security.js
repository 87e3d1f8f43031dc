import { api } from './api.js';
import { describeDevice } from './device.js';
import { byId, el, formatTime, replace } from './dom.js';
import { action, startPage, status } from './shell.js';

const me = await startPage('security');
if (me) {
  showCurrent(me.session, me.impersonatedBy);
  showLimit(me.sessionLimit);
  byId('refresh').addEventListener('click', action(load));
  byId('end-others').addEventListener(
    'click',
    action(async () => {
      await api('DELETE', '/me/sessions?scope=others');
      const left = await load();
      status(`Signed out everywhere else. ${left} session(s) left: this one.`);
    }),
  );
  await action(load)();
}

function showCurrent(session, impersonatedBy) {
  const row = (term, value) => [el('dt', {}, term), el('dd', {}, value)];
  const by = impersonatedBy
    ? row(
        'Acting as this user',
        `${impersonatedBy.username ?? impersonatedBy.id}: ${impersonatedBy.reason}`,
      )
    : [];
  replace(
    byId('current'),
    ...row('Kind', kindLabel(session.kind)),
    ...by,
    ...row('Signed in', formatTime(session.createdAt)),
    ...row('Password last confirmed', formatTime(session.authenticatedAt)),
    ...row('Ends at the latest', formatTime(session.expiresAt)),
  );
}

/** The concurrent-session limit of `GET /me`, in words (hidden when there is none). */
function showLimit(limit) {
  const line = byId('session-limit');
  if (!limit) return;
  const past =
    limit.policy === 'refuse-new'
      ? 'a new sign-in is refused until you sign out of one'
      : 'signing in on another ends your oldest session';
  const devices = limit.maxSessions === 1 ? '1 device' : `${limit.maxSessions} devices`;
  line.textContent = `You can be signed in on up to ${devices} at once; ${past}.`;
  line.hidden = false;
}

async function load() {
  const sessions = await api('GET', '/me/sessions');
  replace(byId('sessions').tBodies[0], ...sessions.map(rowFor));
  return sessions.length;
}

function rowFor(session) {
  const device = describeDevice(session.userAgent);
  const name = el('span', { id: `device-${session.id}` }, device);
  const cell = el('td', { title: session.userAgent ?? '' }, name);
  if (session.current) cell.append(' ', el('span', { class: 'badge' }, 'This session'));
  const row = el(
    'tr',
    { 'data-session-id': session.id, 'data-current': session.current ? 'true' : null },
    cell,
    el('td', {}, session.ip ?? 'unknown'),
    el('td', { 'data-kind': session.kind }, kindLabel(session.kind)),
    el('td', {}, formatTime(session.createdAt)),
    el('td', {}, formatTime(session.lastSeenAt)),
    el('td', {}, session.current ? '' : endButton(session, name.id, device)),
  );
  return row;
}

/** How each session kind of `GET /me/sessions` reads on the page. */
function kindLabel(kind) {
  if (kind === 'remembered') return 'Remembered on this device';
  if (kind === 'impersonation') return 'Support (impersonation)';
  return 'Standard';
}

function endButton(session, describedBy, device) {
  const button = el(
    'button',
    { type: 'button', class: 'danger', 'aria-describedby': describedBy },
    'Sign out this session',
  );
  button.addEventListener(
    'click',
    action(async () => {
      await api('DELETE', `/me/sessions/${encodeURIComponent(session.id)}`);
      await load();
      status(`Signed out the session on ${device}.`);
      byId('refresh').focus();
    }),
  );
  return button;
}
