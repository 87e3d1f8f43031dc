import { api, ApiError, SignedOut } from './api.js';
import { byId, el, replace } from './dom.js';

const LINKS = [
  { page: 'security', href: '/app/security', text: 'Security' },
  { page: 'notifications', href: '/app/notifications', text: 'Notifications' },
  { page: 'password', href: '/app/password', text: 'Password' },
  { page: 'operations', href: '/app/operations', text: 'Operations', admin: true },
  { page: 'audit', href: '/app/audit', text: 'Audit trail', admin: true },
  { page: 'review', href: '/app/review', text: 'Permission review', admin: true },
];

/**
 * Starts an app page: loads `GET /me`, draws the header (links, who is signed in, "Sign out")
 * and returns `{ user, session }`, or `null` when the page cannot be used (signed out, or an
 * admin page for someone who is not an admin).
 *
 * @example const me = await startPage('security'); if (!me) return;
 */
export async function startPage(page, { adminOnly = false } = {}) {
  let me;
  try {
    me = await api('GET', '/me');
  } catch (error) {
    if (!(error instanceof SignedOut)) status(error.message, 'error');
    return null;
  }
  const admin = me.user.roles.includes('admin');
  drawHeader(page, me.user, admin);
  if (adminOnly && !admin) {
    replace(
      document.querySelector('main'),
      el('h1', {}, 'Admins only'),
      el('p', {}, 'This page is for administrators.'),
    );
    return null;
  }
  return me;
}

function drawHeader(page, user, admin) {
  const links = LINKS.filter((link) => admin || !link.admin).map((link) =>
    el(
      'li',
      {},
      el('a', { href: link.href, 'aria-current': link.page === page ? 'page' : null }, link.text),
    ),
  );
  const signOut = el('button', { type: 'button', id: 'sign-out', class: 'secondary' }, 'Sign out');
  signOut.addEventListener(
    'click',
    action(async () => {
      await api('POST', '/auth/logout');
      location.assign('/?signed-out=1');
    }),
  );
  replace(
    byId('bar'),
    el('a', { href: '/app/security', class: 'brand' }, 'Session security'),
    el('nav', { 'aria-label': 'Main', 'data-signed-in': true }, el('ul', {}, ...links)),
    el(
      'p',
      { class: 'who', 'data-signed-in': true },
      'Signed in as ',
      el('strong', { id: 'who' }, user.username),
      ` (${user.roles.join(', ') || 'no roles'})`,
    ),
    el('div', { 'data-signed-in': true }, signOut),
  );
}

/**
 * Wraps an event handler: a refused request shows its message in the page's status line; a
 * signed-out session has already replaced the page, so it is silent.
 *
 * @example button.addEventListener('click', action(() => api('POST', '/auth/logout')));
 */
export function action(handler) {
  return async (event) => {
    try {
      await handler(event);
    } catch (error) {
      if (error instanceof SignedOut) return;
      status(error instanceof ApiError ? error.message : String(error), 'error');
      if (!(error instanceof ApiError)) console.error(error);
    }
  };
}

/** Shows a short message in the page's live region (`#status`). */
export function status(text, kind = 'info') {
  const node = document.getElementById('status');
  if (!node) return;
  node.textContent = text;
  node.dataset.kind = kind;
}
