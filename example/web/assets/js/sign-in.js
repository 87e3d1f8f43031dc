import { byId } from './dom.js';
import { errorCode, send } from './http.js';

const form = byId('sign-in');
const status = byId('status');
if (new URLSearchParams(location.search).has('signed-out')) byId('signed-out-note').hidden = false;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  status.textContent = '';
  const result = await send('POST', '/auth/login', {
    body: {
      username: byId('username').value,
      password: byId('password').value,
      rememberMe: byId('remember-me').checked,
    },
  });
  if (result.ok) {
    location.assign('/app/security');
    return;
  }
  const code = errorCode(result);
  status.dataset.kind = 'error';
  if (code === 'invalid_credentials') status.textContent = 'Wrong username or password.';
  else if (code === 'too_many_attempts')
    status.textContent = `Too many failed attempts. Try again in ${result.body.retryAfter} seconds.`;
  else status.textContent = result.body?.message ?? `The server answered ${result.status}.`;
  byId('password').select();
});
