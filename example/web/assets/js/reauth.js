import { byId, el } from './dom.js';
import { errorCode, send } from './http.js';

/** What each `reauth_required` reason means for the person asked. */
const WHY = {
  stale_authentication: 'This action needs a recent sign-in. Enter your password to continue.',
  permissions_changed:
    'Your permissions have changed. Enter your password to continue with the new ones.',
  insufficient_level: 'This action needs a stronger sign-in. Enter your password to continue.',
};

let pending = null;

/**
 * Asks for the password in a modal dialog and calls `POST /auth/reauth`. Resolves
 * `{ csrfToken }` once the server accepted it, `{ cancelled: true }` when the person closes the
 * dialog, or `{ signedOut: code, reason }` when the session is gone. Concurrent calls share one dialog.
 * Focus moves into the dialog and back to where it was.
 *
 * @example const outcome = await confirmPassword('stale_authentication', csrfToken);
 */
export function confirmPassword(reason, csrfToken) {
  pending ??= ask(reason, csrfToken).finally(() => {
    pending = null;
  });
  return pending;
}

function ask(reason, csrfToken) {
  const dialog = document.getElementById('reauth') ?? build();
  const password = byId('reauth-password');
  const error = byId('reauth-error');
  const form = dialog.querySelector('form');
  const previous = document.activeElement;
  byId('reauth-why').textContent = WHY[reason] ?? WHY.stale_authentication;
  error.textContent = '';
  password.value = '';
  return new Promise((resolve) => {
    const finish = (outcome) => {
      form.removeEventListener('submit', submit);
      dialog.removeEventListener('close', closed);
      dialog.close();
      if (previous instanceof HTMLElement) previous.focus();
      resolve(outcome);
    };
    const closed = () => finish({ cancelled: true });
    const submit = async (event) => {
      event.preventDefault();
      error.textContent = '';
      const result = await send('POST', '/auth/reauth', {
        body: { password: password.value },
        csrfToken,
      });
      const code = errorCode(result);
      if (result.ok) return finish({ csrfToken: result.body.csrfToken });
      if (code === 'session_revoked' || code === 'session_expired' || code === 'session_required')
        return finish({ signedOut: code, reason: result.body?.reason });
      error.textContent =
        code === 'invalid_credentials'
          ? 'That password is not right. Try again.'
          : (result.body?.message ?? `The server answered ${result.status}.`);
      password.select();
    };
    form.addEventListener('submit', submit);
    dialog.addEventListener('close', closed);
    dialog.showModal();
    password.focus();
  });
}

function build() {
  const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const dialog = el(
    'dialog',
    { id: 'reauth', 'aria-labelledby': 'reauth-title', 'aria-describedby': 'reauth-why' },
    el(
      'form',
      { novalidate: true },
      el('h2', { id: 'reauth-title' }, 'Confirm it’s you'),
      el('p', { id: 'reauth-why' }),
      el('label', { for: 'reauth-password' }, 'Password'),
      el('input', {
        id: 'reauth-password',
        name: 'password',
        type: 'password',
        autocomplete: 'current-password',
        required: true,
      }),
      el('p', { id: 'reauth-error', class: 'error', role: 'alert' }),
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Confirm'), cancel),
    ),
  );
  cancel.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  return dialog;
}
