import { api } from './api.js';
import { byId } from './dom.js';
import { action, startPage, status } from './shell.js';

const me = await startPage('password');
if (me) {
  const form = byId('password-form');
  form.addEventListener(
    'submit',
    action(async (event) => {
      event.preventDefault();
      const newPassword = byId('new-password').value;
      if (newPassword !== byId('repeat-password').value) {
        status('The new passwords do not match.', 'error');
        byId('repeat-password').focus();
        return;
      }
      const endOtherSessions = byId('end-others').checked;
      await api('POST', '/me/password', {
        currentPassword: byId('current-password').value,
        newPassword,
        endOtherSessions,
      });
      form.reset();
      status(
        endOtherSessions
          ? 'Password changed. Your other sessions were signed out.'
          : 'Password changed.',
        'success',
      );
    }),
  );
}
