import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { PermissionChangeEntity } from '../src/permission-changes/permission-change.entity.js';
import { PermissionChangeQueue } from '../src/permission-changes/permission-change.queue.js';
import { RevocationService } from '../src/revocation/revocation.service.js';
import { SessionService } from '../src/session/session.service.js';
import { TEST_DATABASE_URL, createSchema, openModuleDatabase } from './support/database.js';
import { eventually } from './support/notification-recorder.js';
import { startPermissionApp, type PermissionApp } from './support/permission-app.js';
import { PrivateRedis } from './support/private-redis.js';

jest.setTimeout(90_000);

/**
 * A permission-change job whose Bull state vanished: its first try failed and its retry waited
 * (delayed by a minute) when Redis was flushed. The change row is still `pending`; the reconciler
 * (every 200 ms here) notices the flush and queues the change again, with no restart.
 */
describe('a permission-change job erased from Redis while it waited for its retry', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let redis: PrivateRedis;
  let app: PermissionApp;

  beforeAll(async () => {
    schema = await createSchema('perm_recovery');
    dataSource = await openModuleDatabase(schema.name);
    redis = await PrivateRedis.start();
    app = await startPermissionApp(dataSource, `test:${randomBytes(4).toString('hex')}:`, {
      redis: redis.url,
      reconcileInterval: 200,
      permissionChanges: { attempts: 5, backoff: 60_000 },
    });
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await redis?.stop();
    await schema?.drop();
  });

  it('finishes the change once: sessions marked, one notification, state done', async () => {
    for (let i = 0; i < 3; i++) {
      await app.app.get(SessionService).create({ id: 'flushed', roles: ['editor'] });
    }
    const notifications = `"${schema.name}".ss_notification`;
    const blocker = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await blocker.connect();
    // The job's notification step waits on this lock; cancelling its statement fails the try.
    await blocker.query(`BEGIN; LOCK TABLE ${notifications} IN EXCLUSIVE MODE`);
    const { authzVersion } = await app.app
      .get(RevocationService)
      .permissionsChanged('flushed', { reason: 'roles_changed' });
    const bull = app.app.get(PermissionChangeQueue).jobs.bull!;
    try {
      const waiting = await eventually(async () => {
        const { rows } = await blocker.query(
          `SELECT pid FROM pg_locks WHERE NOT granted AND relation = $1::regclass`,
          [notifications],
        );
        expect(rows.length).toBeGreaterThan(0);
        return rows[0].pid;
      }, 30_000);
      await blocker.query('SELECT pg_cancel_backend($1)', [waiting]);
      await eventually(async () => {
        const counts = await bull.getJobCounts();
        expect(counts.delayed).toBe(1);
      }, 30_000);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const flusher = new Redis(redis.url);
    await flusher.flushall();
    await flusher.quit();
    const changes = dataSource.getRepository(PermissionChangeEntity);
    expect((await changes.findOneByOrFail({ userId: 'flushed', authzVersion })).state).toBe(
      'pending',
    );

    await eventually(async () => {
      expect(await changes.findOneByOrFail({ userId: 'flushed', authzVersion })).toMatchObject({
        state: 'done',
        markedSessions: 3,
      });
    }, 30_000);
    const [{ n }] = await dataSource.query(
      `SELECT count(*) AS n FROM ${notifications} WHERE "userId" = 'flushed' AND type = 'reauth_required'`,
    );
    expect(Number(n)).toBe(1);
  });
});
