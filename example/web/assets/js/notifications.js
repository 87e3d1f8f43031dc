import { api } from './api.js';
import { describeDevice } from './device.js';
import { byId, el, formatTime, replace } from './dom.js';
import { action, startPage, status } from './shell.js';

const TITLES = {
  new_sign_in: 'New sign-in',
  session_revoked: 'A session was ended',
  reauth_required: 'Please confirm it is you',
  password_changed: 'Password changed',
};

const me = await startPage('notifications');
if (me) {
  byId('refresh').addEventListener('click', action(load));
  await action(load)();
}

async function load() {
  const items = await api('GET', '/me/notifications');
  const list = byId('notifications');
  if (items.length === 0) replace(list, el('li', { class: 'muted' }, 'Nothing yet.'));
  else replace(list, ...items.map(itemFor));
}

function itemFor(item) {
  const unread = item.readAt === null;
  const titleId = `notification-${item.id}`;
  const node = el(
    'li',
    { class: unread ? 'unread' : null, 'data-type': item.type, 'aria-labelledby': titleId },
    el('h2', { id: titleId }, TITLES[item.type] ?? item.type),
    el('p', { class: 'muted' }, formatTime(item.createdAt), unread ? ' · new' : ' · read'),
    item.payload?.message ? el('p', {}, String(item.payload.message)) : null,
    describe(item.payload ?? {}),
  );
  const report = item.payload?.actions?.find?.((a) => a?.action === 'report_session');
  if (report?.sessionId) node.append(reportButton(report.sessionId, titleId));
  if (unread) node.append(readButton(item, titleId));
  return node;
}

/**
 * "This wasn't me": ends the session the notice is about (from this session; no password
 * needed) and suggests changing the password, since someone else signed in.
 */
function reportButton(sessionId, titleId) {
  const button = el(
    'button',
    { type: 'button', class: 'danger', 'aria-describedby': titleId, 'data-report': sessionId },
    "This wasn't me",
  );
  button.addEventListener(
    'click',
    action(async () => {
      try {
        await api('POST', `/me/sessions/${encodeURIComponent(sessionId)}/report`);
      } catch (error) {
        if (error?.code !== 'not_found') throw error;
        status('That session had already ended. Change your password if you did not sign in.');
        return;
      }
      button.remove();
      status('That session was signed out and reported. Change your password now.');
      byId('change-password').hidden = false;
      byId('change-password').focus();
    }),
  );
  return button;
}

function describe(payload) {
  const facts = [];
  if (payload.userAgent) facts.push(['Device', describeDevice(payload.userAgent)]);
  if (payload.ip) facts.push(['IP address', payload.ip]);
  if (payload.reason) facts.push(['Why', String(payload.reason).replaceAll('_', ' ')]);
  if (facts.length === 0) return null;
  return el(
    'dl',
    { class: 'facts' },
    ...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, String(value))]),
  );
}

function readButton(item, titleId) {
  const button = el(
    'button',
    { type: 'button', class: 'secondary', 'aria-describedby': titleId },
    'Mark as read',
  );
  button.addEventListener(
    'click',
    action(async () => {
      await api('POST', `/me/notifications/${encodeURIComponent(item.id)}/read`);
      await load();
      status('Marked as read.');
      byId('refresh').focus();
    }),
  );
  return button;
}
