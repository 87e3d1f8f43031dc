import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signIn, watchProblems } from './support/browser.js';
import { listenExample, type ListeningExample } from './support/listening-example.js';

let server: ListeningExample;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await listenExample('browser');
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
});

/** A fresh browser profile (its own cookie jar) with a page watched for CSP problems. */
async function openPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  return { context, page, problems: await watchProblems(page) };
}

describe('the example pages in Chromium', () => {
  it('signs in; the __Host- session cookie is accepted on loopback and hidden from page script', async () => {
    const { context, page, problems } = await openPage();
    await signIn(page, server.base, 'bob');
    const cookies = await context.cookies(server.base);
    const session = cookies.find((cookie) => cookie.name === '__Host-t');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(session!.value.length).toBeGreaterThanOrEqual(43);
    const visible = await page.evaluate(() => (globalThis as any).document.cookie as string);
    expect(visible).not.toContain('__Host-t');
    expect(visible).not.toContain(session!.value);
    await expect(page.locator('#who').textContent()).resolves.toBe('bob');
    await expect(page.locator('tr[data-current] .badge').textContent()).resolves.toBe(
      'This session',
    );
    expect(problems).toEqual([]);
  });
});
