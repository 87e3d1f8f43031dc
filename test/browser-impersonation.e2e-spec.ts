import { browserSuite, signIn } from './support/browser.js';

const suite = browserSuite('browser_impersonation');

describe('the Security page of an impersonation session in Chromium', () => {
  it('names the admin acting as the user and the reason, and the session as a support one', async () => {
    const { page, problems } = await suite.openPage();
    await signIn(page, suite.server.base, 'alice');
    const status = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/auth/csrf')).json()) as { csrfToken: string };
      const response = await fetch('/admin/users/2/impersonate', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken },
        body: JSON.stringify({ reason: 'ticket #4821', duration: '15m' }),
      });
      return response.status;
    });
    expect(status).toBe(200);
    await page.goto(`${suite.server.base}/app/security`);
    const current = page.locator('#current');
    await current.getByText('Acting as this user').waitFor();
    expect(await current.textContent()).toContain('alice: ticket #4821');
    expect(await current.textContent()).toContain('Support (impersonation)');
    expect(problems).toEqual([]);
  });

  it("shows no impersonator in the user's own session", async () => {
    const { page } = await suite.openPage();
    await signIn(page, suite.server.base, 'bob');
    const current = page.locator('#current');
    await current.getByText('Standard').waitFor();
    expect(await current.textContent()).not.toContain('Acting as this user');
  });
});
