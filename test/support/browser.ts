import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { listenExample, type ListeningExample } from './listening-example.js';

/** Debian's Chromium (playwright-core downloads no browser); `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium as CI runs it: no sandbox (root in a container), no background traffic. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
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

/** A page in a fresh browser profile (its own cookie jar), watched for CSP problems. */
export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/**
 * Registers `beforeAll` / `afterAll` hooks giving a test file the example app on a loopback
 * port (schema and Redis prefix of its own) and one Chromium; every profile opened with
 * `openPage()`, the browser and the server are closed afterwards.
 */
export function browserSuite(label: string, env: Record<string, string> = {}) {
  const contexts: BrowserContext[] = [];
  let browser: Browser | undefined;
  const suite = {
    server: undefined as unknown as ListeningExample,
    async openPage(): Promise<OpenedPage> {
      const context = await browser!.newContext();
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      return { context, page, problems: await watchProblems(page) };
    },
    /** The session cookie of `context` for the app, if the browser holds one. */
    async sessionCookie(context: BrowserContext) {
      return (await context.cookies(suite.server.base)).find((c) => c.name === '__Host-t');
    },
  };
  beforeAll(async () => {
    suite.server = await listenExample(label, env);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await suite.server?.close();
  });
  return suite;
}
