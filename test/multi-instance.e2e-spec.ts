import { createSchema } from './support/database.js';
import { ExampleInstance, login, newEnvironment, startExample } from './support/example-app.js';
import { PrivateRedis } from './support/private-redis.js';

describe('two app instances sharing PostgreSQL and Redis', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let a: ExampleInstance;
  let b: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('multi');
    const environment = newEnvironment(schema.name);
    a = await startExample(environment);
    b = await startExample(environment);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('refuses on instance B, on the very next request, a session logged out on instance A', async () => {
    const client = await login(a, 'bob');
    await b.http.get('/me').set('Cookie', client.cookie).expect(200);
    await a.http
      .post('/auth/logout')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(204);
    const denied = await b.http.get('/me').set('Cookie', client.cookie).expect(401);
    expect(denied.body.error).toBe('session_revoked');
  });

  it('refuses on instance A a session ended from instance B', async () => {
    const victim = await login(a, 'carol');
    const other = await login(b, 'carol');
    await a.http.get('/me').set('Cookie', victim.cookie).expect(200);
    await b.http
      .delete(`/me/sessions/${victim.sessionId}`)
      .set('Cookie', other.cookie)
      .set('X-CSRF-Token', other.csrf)
      .expect(204);
    await a.http.get('/me').set('Cookie', victim.cookie).expect(401);
  });
});

describe('a Redis that goes away', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let redis: PrivateRedis;
  let a: ExampleInstance;
  let b: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('redisdown');
    redis = await PrivateRedis.start();
    const environment = { ...newEnvironment(schema.name), redisUrl: redis.url };
    a = await startExample(environment);
    b = await startExample(environment);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    await schema?.drop();
  });

  it('falls back to the database while Redis is down and never lets a dead session through', async () => {
    const client = await login(a, 'bob');
    await b.http.get('/me').set('Cookie', client.cookie).expect(200);
    await redis.stop();

    await a.http.get('/me').set('Cookie', client.cookie).expect(200);
    const health = await a.http.get('/health').expect(503);
    expect(health.body.message).toContain('redis');
    await a.http
      .post('/auth/logout')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(204);
    await a.http.get('/me').set('Cookie', client.cookie).expect(401);
    await b.http.get('/me').set('Cookie', client.cookie).expect(401);

    await redis.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await a.http.get('/me').set('Cookie', client.cookie).expect(401);
    await b.http.get('/me').set('Cookie', client.cookie).expect(401);
    await a.http.get('/health').expect(200);
  });

  it('replays invalidations missed during a partition before trusting Redis again', async () => {
    const client = await login(a, 'carol');
    await b.http.get('/me').set('Cookie', client.cookie).expect(200);
    await redis.freeze(3);
    await a.http
      .post('/auth/logout')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .expect(204);
    await b.http.get('/me').set('Cookie', client.cookie).expect(401);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    for (let i = 0; i < 5; i++) {
      await a.http.get('/me').set('Cookie', client.cookie).expect(401);
      await b.http.get('/me').set('Cookie', client.cookie).expect(401);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  });
});
