import { el } from './dom.js';

/** Why the server says there is no usable session, in words for the person at the screen. */
const REASONS = {
  session_revoked:
    'This session was ended — signed out from another device, by a password change, or by an administrator.',
  session_expired:
    'Your session expired: it was idle for too long or reached its maximum lifetime.',
  session_required: 'You are not signed in (or this browser no longer holds a valid session).',
};

let shown = false;

/**
 * Replaces the page's content with "You are signed out", the reason for `code` and a link to
 * sign in again; moves keyboard focus to the notice. Shown once per page.
 *
 * @example showSignedOut('session_revoked');
 */
export function showSignedOut(code) {
  if (shown) return;
  shown = true;
  document.body.classList.add('signed-out');
  for (const node of document.querySelectorAll('[data-signed-in]')) node.hidden = true;
  const heading = el('h1', { tabindex: '-1' }, 'You are signed out');
  const notice = el(
    'section',
    { id: 'signed-out', class: 'notice', role: 'alert', 'data-reason': code },
    heading,
    el('p', { class: 'reason' }, REASONS[code] ?? REASONS.session_required),
    el('p', {}, el('a', { href: '/', class: 'button' }, 'Sign in again')),
  );
  const bar = document.getElementById('bar');
  if (bar && !bar.querySelector('.brand'))
    bar.append(el('a', { href: '/', class: 'brand' }, 'Session security'));
  const main = document.querySelector('main');
  if (main) main.replaceChildren(notice);
  else document.body.append(notice);
  heading.focus();
}

/** Whether the page already shows that the user is signed out. */
export function isSignedOut() {
  return shown;
}
