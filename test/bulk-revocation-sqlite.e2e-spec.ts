import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { readConfig } from '../example/config.js';
import { createExampleApp, initExampleApp } from '../example/create-app.js';
import type { DataSource } from 'typeorm';
import { SessionNotification, SessionService } from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { adapterEnv, login, type ExampleInstance } from './support/example-app.js';

/** `npm start` without DATABASE_URL and with `REDIS_URL=off`: SQLite, jobs in the app process. */
describe('bulk revocation on the embedded SQLite store, single-instance mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ss-sqlite-'));
  let app: ExampleInstance;

  beforeAll(async () => {
    const config = readConfig({
      SQLITE_PATH: join(dir, 'example.sqlite'),
      REDIS_URL: 'off',
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      SESSION_REVOCATION_BATCH_SIZE: '7',
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

  it('runs the job in process over several batches, revoking each session once and notifying each user once', async () => {
    const sessions = app.app.get(SessionService);
    const made = [];
    for (let i = 0; i < 30; i++) {
      const ip = i % 3 === 0 ? '198.51.100.1' : `10.0.${i}.1`;
      made.push(await sessions.create({ id: `sqlite-${i % 5}`, roles: ['viewer'] }, { ip }));
    }
    const want = made.filter((_, i) => i % 3 !== 0).map((m) => m.session.id);
    const admin = await login(app, 'alice');
    const created = await app.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ filter: { ip: '10.0.0.0/8' }, reason: 'sqlite incident' })
      .expect(202);
    expect(created.body).toMatchObject({ matched: want.length, effect: 'by_job' });

    const deadline = Date.now() + 20_000;
    let status;
    do {
      status = (
        await app.http
          .get(`/admin/session-revocations/${created.body.jobId}`)
          .set('Cookie', admin.cookie)
          .expect(200)
      ).body;
      await new Promise((resolve) => setImmediate(resolve));
    } while (status.state !== 'completed' && Date.now() < deadline);
    expect(status).toMatchObject({
      state: 'completed',
      matched: want.length,
      revoked: want.length,
    });

    for (const m of made) {
      const live = (await sessions.validate(m.token)).ok;
      expect(live).toBe(!want.includes(m.session.id));
    }
    const dataSource = app.app.get<DataSource>(SESSION_SECURITY_DATA_SOURCE);
    const notes = await dataSource
      .getRepository(SessionNotification)
      .findBy({ type: 'session_revoked' });
    const mine = notes.filter((n) => n.payload.jobId === created.body.jobId);
    const users = [
      ...new Set(made.filter((m) => want.includes(m.session.id)).map((m) => m.session.userId)),
    ];
    expect(mine.map((n) => n.userId).sort()).toEqual(users.sort());
    const listed = mine.flatMap((n) => n.payload.sessionIds as string[]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.every((id) => want.includes(id))).toBe(true);
  });
});
