import { browserSuite, signIn } from './support/browser.js';
import { serveAttackerPage } from './support/listening-example.js';
import { login } from './support/example-app.js';
import { focused } from './support/page-actions.js';

const suite = browserSuite('browser_reauth');

afterAll(async () => attacker?.close());
let attacker: Awaited<ReturnType<typeof serveAttackerPage>> | undefined;

async function canSignIn(username: string, password: string): Promise<boolean> {
  const response = await suite.server.instance.http
    .post('/auth/login')
    .send({ username, password });
  return response.status === 200;
}

describe('re-authentication in place', () => {
  it('asks for the password when authentication is stale and retries the password change', async () => {
    const { page, problems } = await suite.openPage();
    await signIn(page, suite.server.base, 'carol');
    await page.getByRole('link', { name: 'Password' }).click();
    await page.getByLabel('Current password').fill('carol-password');
    await page.getByLabel('New password', { exact: true }).fill('carol-new-password-1');
    await page.getByLabel('New password again').fill('carol-new-password-1');
    suite.server.instance.clock.advance('6m'); // past FRESH_AUTH_MAX_AGE (5m)
    await page.getByRole('button', { name: 'Change password' }).click();

    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('needs a recent sign-in');
    expect(await focused(page)).toBe('reauth-password');
    await page.keyboard.type('not-my-password');
    await page.keyboard.press('Enter');
    await dialog.getByText('That password is not right').waitFor();
    expect(await dialog.isVisible()).toBe(true);

    await page.keyboard.type('carol-password');
    await page.keyboard.press('Enter');
    await page.getByText('Password changed. Your other sessions were signed out.').waitFor();
    expect(await dialog.isVisible()).toBe(false);
    expect(await focused(page)).toBe('change');
    expect(await canSignIn('carol', 'carol-new-password-1')).toBe(true);
    expect(await canSignIn('carol', 'carol-password')).toBe(false);
    expect(problems).toEqual([]);
  });

  it('gives up with a message when the person cancels the prompt', async () => {
    const { page } = await suite.openPage();
    await signIn(page, suite.server.base, 'bob');
    const others = await page.locator('#sessions tbody tr').count();
    suite.server.instance.clock.advance('6m');
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await page.getByText('Cancelled: this needs your password.').waitFor();
    expect(await focused(page)).toBe('end-others');
    await page.getByRole('button', { name: 'Refresh' }).click();
    expect(await page.locator('#sessions tbody tr').count()).toBe(others);
  });

  it('asks again after an admin changes my roles, then continues with the new session', async () => {
    const { page } = await suite.openPage();
    await signIn(page, suite.server.base, 'bob');
    const admin = await login(suite.server.instance, 'alice');
    await suite.server.instance.http
      .put('/admin/users/2/roles')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ roles: ['editor', 'viewer'] })
      .expect(200);

    await page.getByRole('button', { name: 'Refresh' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Your permissions have changed');
    await page.keyboard.type('bob-password');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('#status').textContent()).toBe('');
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.locator('#who').waitFor();
    expect(await page.locator('.who').textContent()).toContain('(editor, viewer)');
    expect(await page.getByRole('dialog').count()).toBe(0);
  });
});

describe('cross-site requests', () => {
  it('refuses form posts from another site and from another origin of the same site', async () => {
    const { page } = await suite.openPage();
    await signIn(page, suite.server.base, 'bob');
    const app = suite.server.base;
    // text/plain lets a form send a JSON-looking body: the classic trick against JSON APIs.
    attacker = await serveAttackerPage(`<!doctype html><title>Win a prize</title>
      <form method="post" action="${app}/auth/logout"><button>Log out</button></form>
      <form method="post" action="${app}/me/password" enctype="text/plain">
        <input type="hidden" name='{"currentPassword":"bob-password","newPassword":"owned-by-attacker","x":"' value='"}'>
        <button>Change password</button>
      </form>`);
    const port = new URL(attacker.url).port;
    // 127.0.0.1 is another site than localhost; localhost on another port is the same site
    // (SameSite ignores ports) but another origin, so the Lax cookie goes along.
    const origins = [
      { url: `http://127.0.0.1:${port}/`, site: 'cross-site', cookieSent: false },
      { url: `http://localhost:${port}/`, site: 'same-site', cookieSent: true },
    ];
    for (const origin of origins) {
      for (const button of ['Log out', 'Change password']) {
        await page.goto(origin.url);
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url().startsWith(app) && r.request().method() === 'POST'),
          page.getByRole('button', { name: button }).click(),
        ]);
        const sent = await response.request().allHeaders();
        expect(sent['sec-fetch-site']).toBe(origin.site);
        expect((sent.cookie ?? '').includes('__Host-t=')).toBe(origin.cookieSent);
        const body = await response.json();
        expect(body.error).toBe(origin.cookieSent ? 'csrf_rejected' : 'session_required');
        expect(response.status()).toBe(origin.cookieSent ? 403 : 401);
      }
    }

    await page.goto(`${app}/app/security`);
    await page.locator('tr[data-current]').waitFor();
    expect(await page.locator('#signed-out').count()).toBe(0);
    expect(await canSignIn('bob', 'bob-password')).toBe(true);
    expect(await canSignIn('bob', 'owned-by-attacker')).toBe(false);
  });
});
