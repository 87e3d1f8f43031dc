import { browserSuite, signIn } from './support/browser.js';

const suite = browserSuite('browser_session_limit', { SESSION_MAX_PER_USER: '1' });

describe('a session limit in Chromium', () => {
  it('shows the limit on the Security page, and tells the signed-out browser why', async () => {
    const first = await suite.openPage();
    await signIn(first.page, suite.server.base, 'bob');
    const limit = first.page.locator('#session-limit');
    await limit.waitFor();
    expect(await limit.textContent()).toBe(
      'You can be signed in on up to 1 device at once; signing in on another ends your oldest session.',
    );

    const second = await suite.openPage();
    await signIn(second.page, suite.server.base, 'bob');

    await first.page.getByRole('button', { name: 'Refresh' }).click();
    const notice = first.page.locator('#signed-out');
    await notice.waitFor();
    expect(await notice.locator('.reason').textContent()).toContain(
      'because you signed in on another device',
    );
    expect(first.problems.filter((p) => !p.includes('401'))).toEqual([]);
    expect(second.problems).toEqual([]);
  });
});
