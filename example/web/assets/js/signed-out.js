import { el } from './dom.js';

/** Why the server says there is no usable session, in words for the person at the screen. */
const REASONS = {
  session_revoked:
    'This session was ended — signed out from another device, by a password change, or by an administrator.',
  session_expired:
    'Your session expired: it was idle for too long or reached its maximum lifetime.',
  session_required: 'You are not signed in (or this browser no longer holds a valid session).',
};

/** A `session_revoked` answer's `reason`, when it says more than the code. */
const REVOKED_BECAUSE = {
  session_limit:
    'You were signed out because you signed in on another device: your account allows only so many sessions at once.',
  token_replayed:
    'This remembered sign-in was used from two places at once, so it was ended. If that was not you, change your password.',
};

let shown = false;

/**
 * Replaces the page's content with "You are signed out", the reason for `code` (or, for a
 * revoked session, its `reason` when it says more) and a link to sign in again; moves keyboard
 * focus to the notice. Shown once per page.
 *
 * @example showSignedOut('session_revoked', 'session_limit');
 */
export function showSignedOut(code, reason) {
  if (shown) return;
  shown = true;
  document.body.classList.add('signed-out');
  for (const node of document.querySelectorAll('[data-signed-in]')) node.hidden = true;
  const heading = el('h1', { tabindex: '-1' }, 'You are signed out');
  const notice = el(
    'section',
    { id: 'signed-out', class: 'notice', role: 'alert', 'data-reason': code },
    heading,
    el(
      'p',
      { class: 'reason' },
      (code === 'session_revoked' && REVOKED_BECAUSE[reason]) ||
        (REASONS[code] ?? REASONS.session_required),
    ),
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
