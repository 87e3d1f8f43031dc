// Refreshes docs/images/*.png: starts the compiled example app on a throw-away SQLite file
// (no Redis, so nothing is left behind), drives Debian's Chromium through every page and
// saves a screenshot of each. Run with `npm run screenshots` (builds first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { readConfig } from '../dist/example/config.js';
import { createExampleApp } from '../dist/example/create-app.js';
import { ManualClock } from '../dist/src/testing/index.js';

const OUT = new URL('../docs/images/', import.meta.url);
const FIREFOX_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

const data = mkdtempSync(join(tmpdir(), 'session-security-shots-'));
const clock = new ManualClock();
const app = await createExampleApp(
  readConfig({ SQLITE_PATH: join(data, 'example.sqlite'), REDIS_URL: 'redis://127.0.0.1:1' }),
  { clock, logger: false },
);
await app.listen(0, '127.0.0.1');
const base = `http://localhost:${app.getHttpServer().address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});

async function profile(userAgent) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 }, userAgent });
  return context.newPage();
}

async function signIn(page, username, { rememberMe = false } = {}) {
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(`${username}-password`);
  if (rememberMe) await page.getByLabel('Remember me on this device').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#sessions tbody tr').first().waitFor();
}

async function shot(page, name) {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: fileURLToPath(new URL(`${name}.png`, OUT)), fullPage: true });
  console.log(`docs/images/${name}.png`);
}

try {
  const laptop = await profile(FIREFOX_ON_WINDOWS);
  const page = await profile();
  await page.goto(`${base}/`);
  await shot(page, 'sign-in');

  await signIn(laptop, 'alice', { rememberMe: true });
  await signIn(page, 'alice');
  await shot(page, 'security');

  const laptopId = await laptop.locator('tr[data-current]').getAttribute('data-session-id');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page
    .locator(`tr[data-session-id="${laptopId}"]`)
    .getByRole('button', { name: 'Sign out this session' })
    .click();
  await laptop.getByRole('link', { name: 'Notifications' }).click();
  await laptop.locator('#signed-out').waitFor();
  await shot(laptop, 'signed-out');

  await page.getByRole('link', { name: 'Notifications' }).click();
  await page.locator('.feed li').first().waitFor();
  await shot(page, 'notifications');

  await page.getByRole('link', { name: 'Password' }).click();
  await page.getByLabel('Current password').fill('alice-password');
  await page.getByLabel('New password', { exact: true }).fill('alice-password');
  await page.getByLabel('New password again').fill('alice-password');
  clock.advance('6m');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('dialog').waitFor();
  await shot(page, 'reauth');
  await page.keyboard.type('alice-password');
  await page.keyboard.press('Enter');
  await page.getByText('Password changed.').waitFor();

  const bob = await profile();
  await signIn(bob, 'bob');
  await signIn(await profile(FIREFOX_ON_WINDOWS), 'bob');
  await page.getByRole('link', { name: 'Operations' }).click();
  await page.getByLabel('editor').check();
  await page.getByLabel('Reason (kept in the audit trail)').fill('incident 42: editor laptops');
  await page.getByRole('button', { name: 'Preview (dry run)' }).click();
  await page.locator('#preview').waitFor();
  await shot(page, 'operations-preview');
  await page.locator('#start').click();
  await page.locator('#job[data-state="completed"]').waitFor({ timeout: 20_000 });
  await page.locator('#jobs tbody tr').first().waitFor();
  await shot(page, 'operations-completed');

  await page.getByRole('link', { name: 'Audit trail' }).first().click();
  await page.locator('#audit tbody tr').first().waitFor();
  await shot(page, 'audit');
} finally {
  await browser.close();
  await app.close();
  rmSync(data, { recursive: true, force: true });
}
