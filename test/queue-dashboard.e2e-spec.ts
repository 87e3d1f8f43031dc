import { createSchema } from './support/database.js';
import {
  type ExampleInstance,
  login,
  newEnvironment,
  startExample,
} from './support/example-app.js';

describe('queue dashboard at /admin/queues (bull-board behind the module guards)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let app: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('queues');
    app = await startExample(
      newEnvironment(schema.name, {
        TRUST_PROXY: '127.0.0.1/32,::1/128',
        FRESH_AUTH_MAX_AGE: '5m',
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  const inside = '10.1.2.3';
  const get = (path: string, cookie?: string, from = inside) => {
    const request = app.http.get(path).set('X-Forwarded-For', from);
    return cookie ? request.set('Cookie', cookie) : request;
  };

  it('answers 401 without a session, on the page and on its API', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await get(path).expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'session_required' });
    }
  });

  it('answers 403 to a signed-in user who is not an admin', async () => {
    const bob = await login(app, 'bob');
    const response = await get('/admin/queues/api/queues', bob.cookie).expect(403);
    expect(response.body).toMatchObject({ error: 'forbidden' });
  });

  it('answers 403 network_not_allowed to an admin outside the internal network', async () => {
    const alice = await login(app, 'alice');
    const response = await get('/admin/queues', alice.cookie, '203.0.113.7').expect(403);
    expect(response.body).toMatchObject({ error: 'forbidden', reason: 'network_not_allowed' });
  });

  it('answers 401 reauth_required to an admin whose authentication is stale', async () => {
    const alice = await login(app, 'alice');
    app.clock.advance('6m');
    const response = await get('/admin/queues/api/queues', alice.cookie).expect(401);
    expect(response.body).toMatchObject({ error: 'reauth_required' });
  });

  it('serves the dashboard and the module queues to a freshly signed-in admin inside', async () => {
    const alice = await login(app, 'alice');
    const page = await get('/admin/queues', alice.cookie).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    const api = await get('/admin/queues/api/queues', alice.cookie).expect(200);
    const names = (api.body.queues as Array<{ name: string; readOnlyMode: boolean }>)
      .map((q) => q.name)
      .sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'session-security-notifications',
        'session-security-permission-changes',
        'session-security-revocations',
      ]),
    );
    expect(api.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
  });

  it('refuses a state change without the CSRF token even for an admin', async () => {
    const alice = await login(app, 'alice');
    const response = await app.http
      .put('/admin/queues/api/queues/session-security-revocations/pause')
      .set('Cookie', alice.cookie)
      .set('X-Forwarded-For', inside)
      .expect(403);
    expect(response.body).toMatchObject({ error: 'csrf_rejected' });
  });

  it('refuses every state change of the read-only dashboard, even with the CSRF token', async () => {
    const alice = await login(app, 'alice');
    const queue = '/admin/queues/api/queues/session-security-revocations';
    for (const [method, path] of [
      ['put', '/admin/queues/api/queues/pause'],
      ['put', `${queue}/pause`],
      ['put', `${queue}/clean/completed`],
      ['post', `${queue}/add`],
    ] as const) {
      const response = await app.http[method](path)
        .set('Cookie', alice.cookie)
        .set('X-CSRF-Token', alice.csrf)
        .set('X-Forwarded-For', inside)
        .send({})
        .expect(403);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'forbidden',
        message: 'The queue dashboard is read-only',
      });
    }
    const api = await get('/admin/queues/api/queues', alice.cookie).expect(200);
    expect(api.body.queues.some((q: { isPaused: boolean }) => q.isPaused)).toBe(false);
  });

  it('answers bad dashboard requests with the module error shape', async () => {
    const alice = await login(app, 'alice');
    const unknown = await get('/admin/queues/api/queues/nope/1', alice.cookie).expect(404);
    expect(unknown.body).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: 'Queue not found',
    });
    const missing = await get('/admin/queues/api/nope', alice.cookie).expect(404);
    expect(missing.body).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: 'Cannot GET /admin/queues/api/nope',
    });
    const bad = await get('/admin/queues/api/queues?status=bogus', alice.cookie).expect(400);
    expect(bad.body).toEqual({
      statusCode: 400,
      error: 'invalid_request',
      message: 'Invalid query param (status)',
    });
  });
});

describe('queue dashboard without Redis', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let app: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('queues_noredis');
    app = await startExample({
      ...newEnvironment(schema.name, { REDIS_URL: 'off' }),
    });
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it('says it is unavailable (404) to an admin, and still refuses everyone else', async () => {
    await app.http.get('/admin/queues').expect(401);
    const alice = await login(app, 'alice');
    const response = await app.http.get('/admin/queues').set('Cookie', alice.cookie).expect(404);
    expect(response.body).toMatchObject({ error: 'not_found' });
    expect(response.body.message).toContain('without Redis');
  });
});
