import type { BrowserContext } from 'playwright-core';
import { browserSuite, signIn } from './support/browser.js';
import { currentSessionId, focused, refreshUntil, tabTo } from './support/page-actions.js';

const suite = browserSuite('browser_sessions');
const openPage = () => suite.openPage();
const sessionCookie = (context: BrowserContext) => suite.sessionCookie(context);

describe('signing in and out in Chromium', () => {
  it('accepts the __Host- session cookie on loopback and hides it from page script', async () => {
    const { context, page, problems } = await openPage();
    await signIn(page, suite.server.base, 'bob');
    const session = await sessionCookie(context);
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(session!.value.length).toBeGreaterThanOrEqual(43);
    const visible = await page.evaluate(() => {
      const document = (globalThis as any).document;
      document.cookie = 'probe=readable; Path=/';
      return document.cookie as string;
    });
    expect(visible).toBe('probe=readable');
    expect(visible).not.toContain(session!.value);
    expect(await page.locator('#who').textContent()).toBe('bob');
    expect(await page.locator('tr[data-current] .badge').textContent()).toBe('This session');
    expect(problems).toEqual([]);
  });

  it('also signs in at http://127.0.0.1, the address npm start prints', async () => {
    const { context, page } = await openPage();
    const base = `http://127.0.0.1:${suite.server.port}`;
    await signIn(page, base, 'carol');
    const cookies = await context.cookies(base);
    expect(cookies.find((c) => c.name === '__Host-t')).toMatchObject({ httpOnly: true });
  });

  it('is usable with the keyboard alone, with a visible focus ring', async () => {
    const { page } = await openPage();
    await page.goto(`${suite.server.base}/`);
    await tabTo(page, '#username');
    await page.keyboard.type('carol');
    await page.keyboard.press('Tab');
    await page.keyboard.type('carol-password');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${suite.server.base}/app/security`);
    await page.locator('#sessions tbody tr').first().waitFor();
    await tabTo(page, '#end-others');
    const outline = await page
      .locator('#end-others')
      .evaluate((node) => (globalThis as any).getComputedStyle(node).outlineStyle);
    expect(outline).toBe('solid');
  });

  it('signs out with the button: the browser drops the cookie and site data, and the sign-in page says so', async () => {
    const { context, page } = await openPage();
    await signIn(page, suite.server.base, 'bob');
    const storage = () => page.evaluate(() => (globalThis as any).localStorage.getItem('draft'));
    await page.evaluate(() => (globalThis as any).localStorage.setItem('draft', 'private note'));
    expect(await storage()).toBe('private note');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${suite.server.base}/?signed-out=1`);
    await expect(page.getByText('You have signed out.').isVisible()).resolves.toBe(true);
    expect(await sessionCookie(context)).toBeUndefined();
    expect(await storage()).toBeNull(); // Clear-Site-Data: "storage" was honoured
  });

  it('shows a visitor without a session that they are signed out, with a link to sign in', async () => {
    const { page } = await openPage();
    await page.goto(`${suite.server.base}/app/notifications`);
    const notice = page.locator('#signed-out');
    await notice.waitFor();
    expect(await notice.getAttribute('data-reason')).toBe('session_required');
    expect(await notice.getByText('You are not signed in').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/');
    expect(await focused(page)).toBe('h1');
  });
});

describe('ending sessions from the Security page', () => {
  it('signs out another session; that browser shows why on its next action', async () => {
    const mine = await openPage();
    const other = await openPage();
    await signIn(mine.page, suite.server.base, 'bob');
    await signIn(other.page, suite.server.base, 'bob');
    const otherId = await currentSessionId(other.page);

    await mine.page.getByRole('button', { name: 'Refresh' }).click();
    const row = mine.page.locator(`tr[data-session-id="${otherId}"]`);
    await row.getByRole('button', { name: 'Sign out this session' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await mine.page.locator('#status').textContent()).toContain('Signed out the session');

    await other.page.getByRole('button', { name: 'Refresh' }).click();
    const notice = other.page.locator('#signed-out');
    await notice.waitFor();
    expect(await notice.getAttribute('data-reason')).toBe('session_revoked');
    expect(await notice.textContent()).toContain('This session was ended');
    expect(await sessionCookie(other.context)).toBeUndefined();
    expect(mine.problems).toEqual([]);
  });

  it('signs out everywhere else and keeps this session', async () => {
    const mine = await openPage();
    const other = await openPage();
    await signIn(other.page, suite.server.base, 'alice');
    await signIn(mine.page, suite.server.base, 'alice');
    await mine.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await mine.page.getByText('Signed out everywhere else').waitFor();
    expect(await mine.page.locator('#sessions tbody tr').count()).toBe(1);
    expect(await mine.page.locator('tr[data-current]').count()).toBe(1);

    await other.page.getByRole('link', { name: 'Notifications' }).click();
    await other.page.locator('#signed-out[data-reason="session_revoked"]').waitFor();
  });
});

describe('notifications and timeouts', () => {
  it('lists the notification of an ended session and marks it read', async () => {
    const mine = await openPage();
    const other = await openPage();
    await signIn(other.page, suite.server.base, 'carol');
    const endedId = await currentSessionId(other.page);
    await signIn(mine.page, suite.server.base, 'carol');
    await mine.page
      .locator(`tr[data-session-id="${endedId}"]`)
      .getByRole('button', { name: 'Sign out this session' })
      .click();

    await mine.page.getByRole('link', { name: 'Notifications' }).click();
    const ended = mine.page.locator('li[data-type="session_revoked"]');
    await refreshUntil(mine.page, 'Refresh', async () => (await ended.count()) > 0);
    expect(await ended.first().locator('h2').textContent()).toBe('A session was ended');
    expect(await ended.first().textContent()).toContain('ended by user');
    await ended.first().getByRole('button', { name: 'Mark as read' }).click();
    await mine.page.getByText('Marked as read.').waitFor();
    expect(await ended.first().getByRole('button', { name: 'Mark as read' }).count()).toBe(0);
    expect(await ended.first().textContent()).toContain('· read');
    expect(mine.problems).toEqual([]);
  });

  // Moves the shared clock past every idle timeout, so it runs last in this file.
  it('shows an idle session as expired on its next action', async () => {
    const { page } = await openPage();
    await signIn(page, suite.server.base, 'bob');
    suite.server.instance.clock.advance('31m');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const notice = page.locator('#signed-out');
    await notice.waitFor();
    expect(await notice.getAttribute('data-reason')).toBe('session_expired');
    expect(await notice.textContent()).toContain('Your session expired');
  });
});
