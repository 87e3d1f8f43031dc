import { api } from './api.js';
import { byId, el, formatTime, replace } from './dom.js';
import { action, startPage, status } from './shell.js';

const me = await startPage('audit', { adminOnly: true });
if (me) {
  byId('audit-filter').addEventListener(
    'submit',
    action(async (event) => {
      event.preventDefault();
      await load();
    }),
  );
  await action(load)();
}

async function load() {
  const query = new URLSearchParams();
  const userId = byId('user-id').value.trim();
  const type = byId('type').value.trim();
  if (userId) query.set('userId', userId);
  if (type) query.set('type', type);
  const events = await api('GET', `/admin/audit${query.size ? `?${query}` : ''}`);
  replace(byId('audit').tBodies[0], ...events.map(rowFor));
  status(`${events.length} event(s).`);
}

function rowFor(event) {
  const details = Object.keys(event.details ?? {}).length ? JSON.stringify(event.details) : '';
  return el(
    'tr',
    { 'data-type': event.type, 'data-outcome': event.outcome },
    el('td', {}, String(event.seq)),
    el('td', {}, formatTime(event.at)),
    el('td', {}, el('code', {}, event.type)),
    el('td', {}, event.outcome),
    el('td', {}, event.userId ?? '—'),
    el('td', {}, event.actor ?? '—'),
    el('td', {}, event.ip ?? '—'),
    el('td', { class: 'details' }, details),
  );
}
