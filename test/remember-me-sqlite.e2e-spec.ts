import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { readConfig } from '../example/config.js';
import { createExampleApp, initExampleApp } from '../example/create-app.js';
import { ManualClock } from '../src/testing/index.js';
import { adapterEnv, tokenFrom, type ExampleInstance } from './support/example-app.js';

// `npm start` without DATABASE_URL and with `REDIS_URL=off`: the embedded store.
describe('remember me on the embedded SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ss-remember-'));
  let app: ExampleInstance;
  beforeAll(async () => {
    const config = readConfig({
      SQLITE_PATH: join(dir, 'example.sqlite'),
      REDIS_URL: 'off',
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      ...adapterEnv(),
    });
    const clock = new ManualClock();
    const nest = await createExampleApp(config, { clock, logger: false });
    await initExampleApp(nest);
    app = { app: nest, http: request(nest.getHttpServer()), clock, close: () => nest.close() };
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates, rotates a remembered token exactly once under concurrent requests, and ends the session on a replay', async () => {
    const signedIn = await app.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password', rememberMe: true })
      .expect(200);
    const first = tokenFrom(signedIn.headers['set-cookie']);
    const me = await app.http.get('/me').set('Cookie', `__Host-t=${first}`).expect(200);
    expect(me.body.session.kind).toBe('remembered');

    app.clock.advance(61_000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => app.http.get('/me').set('Cookie', `__Host-t=${first}`)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    const issued = answers.flatMap((r) => {
      const cookies = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
      return cookies.filter((c) => c.startsWith('__Host-t=') && !/Max-Age=0/i.test(c));
    });
    expect(issued).toHaveLength(1);
    const second = tokenFrom(issued);

    app.clock.advance(11_000);
    const replay = await app.http.get('/me').set('Cookie', `__Host-t=${first}`).expect(401);
    expect(replay.body).toMatchObject({ error: 'session_revoked', reason: 'token_replayed' });
    await app.http.get('/me').set('Cookie', `__Host-t=${second}`).expect(401);
  });
});
