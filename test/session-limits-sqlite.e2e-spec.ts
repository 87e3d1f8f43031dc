import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { readConfig } from '../example/config.js';
import { createExampleApp, initExampleApp } from '../example/create-app.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { ManualClock } from '../src/testing/index.js';
import { adapterEnv, tokenFrom, type ExampleInstance } from './support/example-app.js';

/** `npm start` without DATABASE_URL and with `REDIS_URL=off`, with a session limit of `env`. */
function sqliteExample(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'ss-limit-'));
  const suite = {} as { app: ExampleInstance; dataSource: DataSource };
  beforeAll(async () => {
    const config = readConfig({
      SQLITE_PATH: join(dir, 'example.sqlite'),
      REDIS_URL: 'off',
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      ...adapterEnv(),
      ...env,
    });
    const clock = new ManualClock();
    const nest = await createExampleApp(config, { clock, logger: false });
    await initExampleApp(nest);
    suite.app = {
      app: nest,
      http: request(nest.getHttpServer()),
      clock,
      close: () => nest.close(),
    };
    suite.dataSource = nest.get<DataSource>(SESSION_SECURITY_DATA_SOURCE);
  });
  afterAll(async () => {
    await suite.app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return suite;
}

function simultaneousLogins(app: ExampleInstance, username: string, n: number) {
  return Promise.all(
    Array.from({ length: n }, () =>
      app.http.post('/auth/login').send({ username, password: `${username}-password` }),
    ),
  );
}

async function unrevoked(dataSource: DataSource, userId: string): Promise<number> {
  const [row] = await dataSource.query(
    `SELECT count(*) AS n FROM "ss_session" WHERE "userId" = ? AND "revokedAt" IS NULL`,
    [userId],
  );
  return Number(row.n);
}

describe('concurrent-session limit on the embedded SQLite store, end-oldest', () => {
  const suite = sqliteExample({ SESSION_MAX_PER_USER: '2' });

  it('never leaves more than two sessions alive after twenty simultaneous sign-ins', async () => {
    const responses = await simultaneousLogins(suite.app, 'bob', 20);
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await unrevoked(suite.dataSource, '2')).toBe(2);
    const answers = await Promise.all(
      responses.map((r) =>
        suite.app.http.get('/me').set('Cookie', `__Host-t=${tokenFrom(r.headers['set-cookie'])}`),
      ),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(2);
    for (const r of answers.filter((x) => x.status !== 200)) {
      expect(r.body).toMatchObject({ error: 'session_revoked', reason: 'session_limit' });
    }
  });
});

describe('concurrent-session limit on the embedded SQLite store, refuse-new', () => {
  const suite = sqliteExample({ SESSION_MAX_PER_USER: '1', SESSION_LIMIT_POLICY: 'refuse-new' });

  it('admits exactly one of twenty simultaneous sign-ins', async () => {
    const responses = await simultaneousLogins(suite.app, 'carol', 20);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(19);
    for (const r of refused) expect(r.body).toMatchObject({ error: 'too_many_sessions' });
    expect(await unrevoked(suite.dataSource, '3')).toBe(1);
  });
});
