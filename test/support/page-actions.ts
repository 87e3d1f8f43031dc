import type { Page } from 'playwright-core';

/** Presses Tab until `selector` has focus (at most `max` presses), as a keyboard user would. */
export async function tabTo(page: Page, selector: string, max = 20): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.locator(selector).evaluate((node) => node === node.ownerDocument.activeElement))
      return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never got keyboard focus within ${max} Tab presses`);
}

/** The id (or tag) of the element that has focus. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = (globalThis as any).document.activeElement;
    return active?.id || active?.tagName?.toLowerCase() || '';
  });
}

/** The public id of the page's own session, from the Security page's "This session" row. */
export async function currentSessionId(page: Page): Promise<string> {
  const id = await page.locator('tr[data-current]').getAttribute('data-session-id');
  if (!id) throw new Error('the Security page shows no current session');
  return id;
}

/**
 * Clicks `button` (e.g. Refresh) until `ready` resolves true, for outcomes delivered by a
 * background job; fails after `timeoutMs`.
 */
export async function refreshUntil(
  page: Page,
  button: string,
  ready: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.waitForTimeout(250);
  }
}
