import { Redis } from 'ioredis';
import { createSchema, query } from './support/database.js';
import { newEnvironment, startExample, type ExampleInstance } from './support/example-app.js';
import { PrivateRedis } from './support/private-redis.js';

describe('a sign-in lockout outlives a Redis that lost its data', () => {
  let redis: PrivateRedis;
  let app: ExampleInstance;
  let schema: { name: string; drop(): Promise<void> };

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    schema = await createSchema('login_lockout');
    app = await startExample({
      ...newEnvironment(schema.name, { LOGIN_MAX_ATTEMPTS: '3' }),
      redisUrl: redis.url,
    });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    await schema?.drop();
  });

  const signIn = (username: string, password: string) =>
    app.http.post('/auth/login').send({ username, password });
  const flush = async () => {
    const client = new Redis(redis.port, '127.0.0.1');
    await client.flushall();
    client.disconnect();
  };

  it('keeps refusing the locked username + IP with 429 after FLUSHALL, even the right password', async () => {
    for (let i = 0; i < 3; i++) await signIn('bob', 'wrong').expect(401);
    await signIn('bob', 'bob-password').expect(429);
    await flush();
    const locked = await signIn('bob', 'bob-password').expect(429);
    expect(locked.body).toMatchObject({ statusCode: 429, error: 'too_many_attempts' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const rows = await query(`SELECT "lockedUntil" FROM "${schema.name}".ss_login_lockout`);
    expect(rows).toHaveLength(1);
  });

  it('locks out only who reached the limit: a flush forgets counts below it', async () => {
    for (let i = 0; i < 2; i++) await signIn('carol', 'wrong').expect(401);
    await flush();
    await signIn('carol', 'carol-password').expect(200);
    await signIn('alice', 'alice-password').expect(200);
  });

  it('lets the user in again once the lockout has passed', async () => {
    await query(`UPDATE "${schema.name}".ss_login_lockout SET "lockedUntil" = 1`);
    await flush();
    await signIn('bob', 'bob-password').expect(200);
  });
});
