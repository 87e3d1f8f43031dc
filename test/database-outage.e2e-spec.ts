import { StallProxy } from './support/stall-proxy.js';
import { createSchema } from './support/database.js';
import {
  login,
  newEnvironment,
  startExample,
  type Client,
  type ExampleInstance,
} from './support/example-app.js';

const UNAVAILABLE = {
  statusCode: 503,
  error: 'service_unavailable',
  message: 'The database is unavailable; try again shortly',
};

async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('PostgreSQL unreachable: 503 service_unavailable, then serving again', () => {
  let proxy: StallProxy;
  let app: ExampleInstance;
  let drop: () => Promise<void>;
  let bob: Client;

  beforeAll(async () => {
    proxy = await StallProxy.start(5432);
    const schema = await createSchema('db_outage');
    drop = schema.drop;
    app = await startExample(
      newEnvironment(schema.name, {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
      }),
    );
    bob = await login(app, 'bob');
  });
  afterAll(async () => {
    proxy?.restore();
    await app?.close();
    await proxy?.close();
    await drop?.();
  });

  it('answers guarded requests, login and /health with 503 while it is down, never 500 or 200', async () => {
    proxy.cut();
    // Past the freshness bound the cached session is no longer trusted without the database.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const me = await app.http.get('/me').set('Cookie', bob.cookie);
    expect(me.status).toBe(503);
    expect(me.body).toEqual(UNAVAILABLE);
    const signIn = await app.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password' });
    expect(signIn.status).toBe(503);
    expect(signIn.body).toEqual(UNAVAILABLE);
    const write = await app.http
      .patch('/articles/1')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .send({ title: 'during the outage' });
    expect(write.status).toBe(503);
    const health = await app.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      statusCode: 503,
      error: 'service_unavailable',
      status: 'unavailable',
      database: 'down',
    });
  });

  it('serves again once the database is back, without a restart', async () => {
    proxy.restore();
    await eventually(async () => (await app.http.get('/me').set('Cookie', bob.cookie)).ok);
    await app.http.get('/health').expect(200);
    await login(app, 'carol');
  });
});
