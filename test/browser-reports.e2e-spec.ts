import { browserSuite, signIn } from './support/browser.js';
import { refreshUntil } from './support/page-actions.js';

const suite = browserSuite('browser_reports');

/** A sign-in from somewhere else: another program, from outside the browser. */
async function signInElsewhere(username: string): Promise<{ cookie: string; sessionId: string }> {
  const response = await fetch(`${suite.server.base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
    body: JSON.stringify({ username, password: `${username}-password` }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-t='))!;
  const body = (await response.json()) as { session: { id: string } };
  return { cookie: cookie.split(';')[0], sessionId: body.session.id };
}

async function meWith(cookie: string): Promise<{ status: number; error?: string }> {
  const response = await fetch(`${suite.server.base}/me`, { headers: { cookie } });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, error: body.error };
}

describe('"this wasn\'t me" in Chromium', () => {
  it('ends a sign-in the user does not recognise from its notification, and points to the password change', async () => {
    const { page, problems } = await suite.openPage();
    await signIn(page, suite.server.base, 'carol');
    const stranger = await signInElsewhere('carol');
    expect(await meWith(stranger.cookie)).toEqual({ status: 200, error: undefined });

    await page.getByRole('link', { name: 'Notifications' }).click();
    const notice = page.locator('li[data-type="new_sign_in"]');
    await refreshUntil(page, 'Refresh', async () => (await notice.count()) > 0);
    const report = notice.getByRole('button', { name: "This wasn't me" });
    expect(await report.getAttribute('data-report')).toBe(stranger.sessionId);
    await report.click();

    await page.getByText('That session was signed out and reported').waitFor();
    const change = page.getByRole('link', { name: 'Change your password' });
    expect(await change.isVisible()).toBe(true);
    expect(await change.getAttribute('href')).toBe('/app/password');
    expect(await report.count()).toBe(0);
    expect(await meWith(stranger.cookie)).toEqual({ status: 401, error: 'session_revoked' });

    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    expect(await page.locator('#signed-out').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
