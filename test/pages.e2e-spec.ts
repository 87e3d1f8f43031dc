import { exampleSuite } from './support/example-app.js';

const suite = exampleSuite('pages');

describe('serving the example pages', () => {
  it.each([
    '/',
    '/app/security',
    '/app/notifications',
    '/app/password',
    '/app/operations',
    '/app/audit',
    '/app/review',
    '/app/help',
  ])('serves %s as HTML under the strict page CSP, without a session', async (path) => {
    const response = await suite.app.http.get(path).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.text).toContain('<script type="module" src="/assets/js/');
    expect(response.text).not.toMatch(/<script>|<style>| style="| on[a-z]+="/);
  });

  it('serves the scripts as JavaScript modules and the stylesheet as CSS', async () => {
    const script = await suite.app.http.get('/assets/js/api.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    const css = await suite.app.http.get('/assets/style.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it.each(['/app/nope', '/app/security/', '/app/constructor', '/assets/nope.js'])(
    'answers %s with the API 404 not_found',
    async (path) => {
      const response = await suite.app.http.get(path).expect(404);
      expect(response.body.error).toBe('not_found');
    },
  );

  it.each(['/assets', '/assets/js', '/assets/js/'])(
    'answers the folder %s with the API 404, not a redirect',
    async (path) => {
      const response = await suite.app.http.get(path).expect(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'not_found' });
    },
  );

  it.each(['/', '/assets/style.css'])(
    'answers a range request for %s with the whole file',
    async (path) => {
      const response = await suite.app.http.get(path).set('Range', 'bytes=99999999-').expect(200);
      expect(response.headers['accept-ranges']).toBeUndefined();
    },
  );

  it('never serves files outside the pages folder', async () => {
    for (const path of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json']) {
      const response = await suite.app.http.get(path);
      expect(response.status).toBe(404);
      expect(response.text).not.toContain('"dependencies"');
    }
  });

  it('leaves unsafe methods on page paths to the API (no page answers a POST)', async () => {
    const response = await suite.app.http.post('/app/security').send({}).expect(404);
    expect(response.body.error).toBe('not_found');
  });

  it('keeps the API on helmet defaults, not the page policy', async () => {
    const response = await suite.app.http.get('/health');
    expect(response.headers['content-security-policy']).not.toContain('trusted-types');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
