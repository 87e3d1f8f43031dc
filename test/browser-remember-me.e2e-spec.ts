import { browserSuite } from './support/browser.js';

const suite = browserSuite('browser_remember_me');
const DAY_S = 86_400;

describe('the sign-in page\'s "remember me on this device" box in Chromium', () => {
  it('is unticked by default and described by the warning about devices that are not your own', async () => {
    const { page, problems } = await suite.openPage();
    await page.goto(`${suite.server.base}/`);
    const box = page.getByRole('checkbox', { name: 'Remember me on this device' });
    expect(await box.isChecked()).toBe(false);
    const description = await box.evaluate((node) => {
      const id = (node as any).getAttribute('aria-describedby');
      return (globalThis as any).document.getElementById(id)?.textContent ?? '';
    });
    expect(description.replace(/\s+/g, ' ')).toContain(
      'Uncheck “remember me” on a device that is not your own',
    );
    expect(problems).toEqual([]);
  });

  it('ticked, signs in a remembered session: a 30-day cookie, shown as "Remembered on this device"', async () => {
    const { context, page, problems } = await suite.openPage();
    await page.goto(`${suite.server.base}/`);
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password', { exact: true }).fill('bob-password');
    await page.getByRole('checkbox', { name: 'Remember me on this device' }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${suite.server.base}/app/security`);
    const current = page.locator('tr[data-current] td[data-kind]');
    await current.waitFor();
    expect(await current.getAttribute('data-kind')).toBe('remembered');
    expect(await current.textContent()).toBe('Remembered on this device');
    const cookie = await suite.sessionCookie(context);
    const lifetime = cookie!.expires - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(29 * DAY_S);
    expect(lifetime).toBeLessThanOrEqual(30 * DAY_S);
    expect(problems).toEqual([]);
  });

  it('unticked, signs in a standard session: a cookie of the 12-hour session, shown as "Standard"', async () => {
    const { context, page } = await suite.openPage();
    await page.goto(`${suite.server.base}/`);
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password', { exact: true }).fill('carol-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${suite.server.base}/app/security`);
    const current = page.locator('tr[data-current] td[data-kind]');
    await current.waitFor();
    expect(await current.textContent()).toBe('Standard');
    const cookie = await suite.sessionCookie(context);
    expect(cookie!.expires - Date.now() / 1000).toBeLessThanOrEqual(12 * 3_600);
  });

  it('links the warning to the help section "Shared computers and remember me"', async () => {
    const { page, problems } = await suite.openPage();
    await page.goto(`${suite.server.base}/`);
    await page.getByRole('link', { name: 'Shared computers and remember me' }).click();
    await page.waitForURL(`${suite.server.base}/app/help#remember-me`);
    const heading = page.getByRole('heading', { name: 'Shared computers and remember me' });
    expect(await heading.isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Back' }).getAttribute('href')).toBe('/');
    expect(problems).toEqual([]);
  });

  it('helps the user sign out and act on a sign-in they do not recognise', async () => {
    const { page, problems } = await suite.openPage();
    await page.goto(`${suite.server.base}/app/help`);
    for (const name of ['How to sign out', "A sign-in you don't recognise"]) {
      expect(await page.getByRole('heading', { name }).isVisible()).toBe(true);
    }
    const unknown = page.locator('#unknown-sign-in');
    expect(await unknown.textContent()).toContain("This wasn't me");
    expect(
      await unknown.getByRole('link', { name: 'Change your password' }).getAttribute('href'),
    ).toBe('/app/password');
    expect(problems).toEqual([]);
  });
});
