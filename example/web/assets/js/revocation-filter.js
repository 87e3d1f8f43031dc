import { byId } from './dom.js';

/**
 * Reads the operations form into a bulk-revocation filter (`userIds`, `roles`, `createdBefore`,
 * `ip`, `all`); empty fields are left out, so the server names a filter with no criterion.
 *
 * @example const filter = readFilter(); // { roles: ['editor'] }
 */
export function readFilter() {
  const filter = {};
  const userIds = byId('user-ids')
    .value.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (userIds.length) filter.userIds = userIds;
  const roles = [...document.querySelectorAll('input[name="role"]:checked')].map((r) => r.value);
  if (roles.length) filter.roles = roles;
  const createdBefore = byId('created-before').value;
  if (createdBefore) filter.createdBefore = new Date(createdBefore).toISOString();
  const ip = byId('ip').value.trim();
  if (ip) filter.ip = ip;
  if (byId('all').checked) filter.all = true;
  return filter;
}
