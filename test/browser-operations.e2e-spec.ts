import { browserSuite, signIn } from './support/browser.js';
import { refreshUntil } from './support/page-actions.js';

const suite = browserSuite('browser_operations');

const PAGES = [
  '/',
  '/app/security',
  '/app/notifications',
  '/app/password',
  '/app/operations',
  '/app/audit',
  '/app/review',
];

describe('operations pages for admins', () => {
  it('previews a bulk revocation, runs it and shows its progress until completed', async () => {
    const admin = await suite.openPage();
    const editor = await suite.openPage();
    const editorElsewhere = await suite.openPage();
    await signIn(editor.page, suite.server.base, 'bob');
    await signIn(editorElsewhere.page, suite.server.base, 'bob');
    await signIn(admin.page, suite.server.base, 'alice');
    const page = admin.page;

    await page.getByRole('link', { name: 'Operations' }).click();
    await page.getByLabel('editor').check();
    await page.getByLabel('Reason (kept in the audit trail)').fill('incident 42');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await page.locator('#preview').waitFor();
    expect(await page.locator('#preview-count').textContent()).toBe(
      '2 session(s) match. Nothing has been ended yet.',
    );
    expect(await page.locator('#sample tbody tr').count()).toBe(2);
    await editor.page.getByRole('button', { name: 'Refresh' }).click();
    await editor.page.locator('#status').waitFor({ state: 'attached' });
    expect(await editor.page.locator('#signed-out').count()).toBe(0);

    await page.getByRole('button', { name: 'End 2 session(s)' }).click();
    const job = page.locator('#job');
    await page.locator('#job[data-state="completed"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#job-progress').evaluate((node: any) => node.value)).toBe(100);
    expect(await page.locator('#job-state').textContent()).toBe(
      'completed: 2 of 2 session(s) ended (100 %).',
    );
    const jobId = await job.getAttribute('data-job-id');
    expect(await page.locator('#jobs tbody').textContent()).toContain('incident 42');

    for (const other of [editor, editorElsewhere]) {
      await other.page.getByRole('button', { name: 'Refresh' }).click();
      await other.page.locator('#signed-out[data-reason="session_revoked"]').waitFor();
    }

    await page.getByRole('link', { name: 'Audit trail' }).first().click();
    await page.getByLabel('Event type').fill('revocation.finished');
    const finished = page.locator('#audit tr[data-type="revocation.finished"]');
    await refreshUntil(page, 'Show', async () => (await finished.count()) > 0);
    expect(await finished.first().textContent()).toContain(jobId!);
    expect(admin.problems).toEqual([]);
  });

  it('tells a non-admin that the operations page is for administrators', async () => {
    const { page } = await suite.openPage();
    await signIn(page, suite.server.base, 'carol');
    await page.goto(`${suite.server.base}/app/operations`);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    expect(await page.getByRole('link', { name: 'Operations' }).count()).toBe(0);
  });
});

describe('the permission review page', () => {
  it('shows what each role may do in words and says when rule use is unknown', async () => {
    const { page, problems } = await suite.openPage();
    await signIn(page, suite.server.base, 'alice');
    await page.getByRole('link', { name: 'Permission review' }).click();
    const reports = page.locator('#review-rules tr[data-rule="editor-reports"]');
    await reports.waitFor();
    expect(await reports.textContent()).toContain(
      'allows read on Report, only when Mon-Fri 08:00-20:00 in Europe/Berlin',
    );
    expect(await page.locator('#review-unused-note').textContent()).toContain('Unknown');
    expect(await page.locator('#review-csv').getAttribute('href')).toBe(
      '/admin/policy/review/csv?unusedDays=90',
    );
    expect(problems).toEqual([]);
  });
});

describe('Content-Security-Policy', () => {
  it('serves every page under the strict policy without a single violation', async () => {
    const { page, problems } = await suite.openPage();
    await signIn(page, suite.server.base, 'alice');
    for (const path of PAGES) {
      const response = await page.goto(`${suite.server.base}${path}`);
      await page.waitForLoadState('networkidle');
      const csp = response!.headers()['content-security-policy'];
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
      ]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    expect(problems).toEqual([]);
  });

  it('blocks and reports inline code, inline styles and HTML sinks (the check above can fail)', async () => {
    const { page, problems } = await suite.openPage();
    // The real sign-in page and its real headers, with inline code planted in the markup.
    await page.route(`${suite.server.base}/`, async (route) => {
      const response = await route.fetch();
      const planted = (await response.text()).replace(
        '</body>',
        '<script>document.title = "owned"</script><style>body { display: none }</style></body>',
      );
      await route.fulfill({ response, body: planted });
    });
    await page.goto(`${suite.server.base}/`);
    const outcome = await page.evaluate(() => {
      const document = (globalThis as any).document;
      let sink = 'accepted';
      try {
        document.body.innerHTML = '<b>owned</b>';
      } catch (error) {
        sink = (error as Error).name;
      }
      const display = (globalThis as any).getComputedStyle(document.body).display as string;
      return { title: document.title as string, display, sink };
    });
    expect(outcome).toEqual({
      title: 'Sign in · Session security example',
      display: 'block',
      sink: 'TypeError',
    });
    expect(problems.some((p) => /inline script.*script-src/.test(p))).toBe(true);
    expect(problems.some((p) => /inline style.*style-src/.test(p))).toBe(true);
    expect(problems.some((p) => /TrustedHTML/.test(p))).toBe(true);
  });

  it('keeps helmet defaults on the JSON API', async () => {
    const response = await suite.server.instance.http.get('/health');
    const csp = response.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('require-trusted-types-for');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});
