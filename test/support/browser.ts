import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (playwright-core downloads no browser); `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium as CI runs it: no sandbox (root in a container), no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects what a page must never produce: Content-Security-Policy or Trusted Types violations
 * (reported on the console and as `securitypolicyviolation` events) and uncaught errors.
 */
export async function watchProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Trusted ?(HTML|Script|Type)/i.test(text)) problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.exposeFunction('__reportViolation', (text: string) => problems.push(text));
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (event) =>
      window.__reportViolation('violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI));`,
  );
  return problems;
}

/** Signs in through the sign-in page and waits for the Security page. */
export async function signIn(page: Page, base: string, username: string, password?: string) {
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password ?? `${username}-password`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/app/security`);
  await page.locator('#sessions tbody tr').first().waitFor();
}
