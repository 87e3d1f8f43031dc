import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource, IsNull, Not } from 'typeorm';
import { readConfig } from '../example/config.js';
import { exampleDataSourceOptions } from '../example/data-source.js';
import {
  AuditService,
  NotificationService,
  RevocationService,
  SessionService,
  sessionSecurityEntities,
  sessionSecurityMigrations,
  verifyWebhookSignature,
} from '../src/index.js';
import { PermissionChangeEntity } from '../src/permission-changes/permission-change.entity.js';
import { PermissionChangeProcessor } from '../src/permission-changes/permission-change.processor.js';
import { PermissionChangeQueue } from '../src/permission-changes/permission-change.queue.js';
import { PermissionChangeStartup } from '../src/permission-changes/permission-change.providers.js';
import { SessionEntity } from '../src/session/session.entity.js';
import { buildCli, spawnCli, type BuiltCli } from './support/bulk-cli.js';
import { openCliAppDatabase } from './fixtures/cli-app/cli-app.database.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, createSchema } from './support/database.js';
import { eventually } from './support/notification-recorder.js';
import { NotificationWebhookServer } from './support/notification-webhook-server.js';
import { TEST_SECRET, startPermissionApp, type PermissionApp } from './support/permission-app.js';

const WEBHOOK_SECRET = 'permission-webhook-secret-of-32-plus-chars';

let schema: Awaited<ReturnType<typeof createSchema>>;
let dataSource: DataSource;
const prefix = `test:${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  schema = await createSchema('perm_jobs');
  const config = readConfig({ DATABASE_URL: TEST_DATABASE_URL, SESSION_SECRET: TEST_SECRET });
  dataSource = new DataSource(exampleDataSourceOptions(config, schema.name));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
});
afterAll(async () => {
  await dataSource?.destroy();
  await schema?.drop();
});

const changeOf = (userId: string, authzVersion: number) =>
  dataSource.getRepository(PermissionChangeEntity).findOneByOrFail({ userId, authzVersion });
const rowsOf = (userId: string) => dataSource.getRepository(SessionEntity).findBy({ userId });
const reauthNotices = async (app: PermissionApp, userId: string) =>
  (await app.app.get(NotificationService).listForUser(userId)).filter(
    (n) => n.type === 'reauth_required',
  );
const markedEvents = async (app: PermissionApp, userId: string) =>
  app.app.get(AuditService).list({ type: 'permissions.reauth_marked', userId });

async function signIn(app: PermissionApp, userId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await app.app.get(SessionService).create({ id: userId, roles: ['editor'] });
  }
}

describe('permission-change jobs on Bull, worker in the app', () => {
  let app: PermissionApp;
  let webhook: NotificationWebhookServer;

  beforeAll(async () => {
    webhook = await NotificationWebhookServer.start();
    app = await startPermissionApp(dataSource, prefix, {
      permissionChanges: { attempts: 3, backoff: 50 },
      notifications: {
        webhook: { url: webhook.url, secret: WEBHOOK_SECRET, timeout: 2_000 },
        attempts: 6,
        backoff: 50,
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await webhook?.stop();
  });

  it("marks every live session row of the user once, leaves other users' rows alone, notifies once and audits the outcome", async () => {
    await signIn(app, 'job-1', 3);
    await signIn(app, 'job-2', 1);
    const [ended] = await rowsOf('job-1');
    await app.app.get(SessionService).revoke(ended.id, 'logout');

    const { authzVersion } = await app.app
      .get(RevocationService)
      .permissionsChanged('job-1', { reason: 'roles_changed', actor: 'admin-1' });
    await eventually(async () =>
      expect((await changeOf('job-1', authzVersion)).state).toBe('done'),
    );

    const change = await changeOf('job-1', authzVersion);
    expect(change).toMatchObject({ markedSessions: 2, reason: 'roles_changed', actor: 'admin-1' });
    const rows = await rowsOf('job-1');
    expect(rows.filter((r) => r.reauthRequiredAt === change.changedAt)).toHaveLength(2);
    expect(rows.find((r) => r.id === ended.id)?.reauthRequiredAt).toBeNull();
    expect((await rowsOf('job-2')).map((r) => r.reauthRequiredAt)).toEqual([null]);
    expect(await reauthNotices(app, 'job-1')).toHaveLength(1);
    expect(await reauthNotices(app, 'job-2')).toHaveLength(0);
    const [marked, ...more] = await markedEvents(app, 'job-1');
    expect(more).toEqual([]);
    expect(marked).toMatchObject({
      actor: 'admin-1',
      details: { authzVersion, markedSessions: 2 },
    });
  });

  it('creates the notification exactly once when the job is delivered twice, at once and again later', async () => {
    await signIn(app, 'twice', 2);
    const processor = app.app.get(PermissionChangeProcessor);
    const { authzVersion } = await app.app
      .get(RevocationService)
      .permissionsChanged('twice', { reason: 'twice' });
    const data = { userId: 'twice', authzVersion };
    const outcomes = await Promise.all([processor.run(data), processor.run(data)]);
    expect(outcomes.filter((outcome) => outcome === 'done').length).toBeLessThanOrEqual(1);
    await eventually(async () =>
      expect((await changeOf('twice', authzVersion)).state).toBe('done'),
    );
    const bull = app.app.get(PermissionChangeQueue).jobs.bull!;
    const again = await bull.add('mark', data, { jobId: `redelivered:${authzVersion}` });
    const redelivered = await eventually(async () => {
      const job = await bull.getJob(again.id);
      expect(await job?.getState()).toBe('completed');
      // Read again: a job fetched while still active carries no return value yet.
      return (await bull.getJob(again.id))!;
    });
    expect(redelivered.returnvalue).toBe('already_done');

    expect(await reauthNotices(app, 'twice')).toHaveLength(1);
    expect(await markedEvents(app, 'twice')).toHaveLength(1);
    expect((await changeOf('twice', authzVersion)).markedSessions).toBe(2);
    expect(
      await dataSource
        .getRepository(SessionEntity)
        .countBy({ userId: 'twice', reauthRequiredAt: Not(IsNull()) }),
    ).toBe(2);
  });

  it('retries a failing job with backoff until it succeeds, and records a change whose tries are spent as failed', async () => {
    const notifications = app.app.get(NotificationService);
    const notify = notifications.notify;
    const calls: string[] = [];
    let failWith: (userId: string) => string | null = () => null;
    // Fault injection into the job's notification step (the database and queue stay real).
    notifications.notify = async (...args: Parameters<typeof notify>) => {
      calls.push(args[0]);
      const failure = failWith(args[0]);
      if (failure) throw new Error(failure);
      return notify.apply(notifications, args);
    };
    const triesOf = (userId: string) => calls.filter((id) => id === userId).length;
    try {
      failWith = (userId) => (userId === 'flaky' && triesOf('flaky') <= 2 ? 'inbox down' : null);
      const flaky = await app.app
        .get(RevocationService)
        .permissionsChanged('flaky', { reason: 'r' });
      await eventually(async () =>
        expect((await changeOf('flaky', flaky.authzVersion)).state).toBe('done'),
      );
      expect(triesOf('flaky')).toBe(3);
      expect(await reauthNotices(app, 'flaky')).toHaveLength(1);

      failWith = (userId) => (userId === 'broken' ? 'inbox gone' : null);
      const broken = await app.app
        .get(RevocationService)
        .permissionsChanged('broken', { reason: 'r' });
      await eventually(async () =>
        expect(await changeOf('broken', broken.authzVersion)).toMatchObject({
          state: 'failed',
          error: 'inbox gone',
        }),
      );
      expect(triesOf('broken')).toBe(3);
    } finally {
      notifications.notify = notify;
    }
  });

  it('retries the webhook of the notification until the receiver accepts, each attempt signed', async () => {
    webhook.failNext(2);
    await app.app.get(RevocationService).permissionsChanged('hooked', { reason: 'roles_changed' });
    const [notice] = await eventually(async () => {
      const found = await reauthNotices(app, 'hooked');
      expect(found).toHaveLength(1);
      return found;
    });
    const requests = await eventually(() => {
      const seen = webhook.for(notice.id);
      expect(seen.map((r) => r.answeredStatus)).toEqual([503, 503, 200]);
      return seen;
    });
    for (const request of requests) {
      expect(
        verifyWebhookSignature(request.rawBody, request.headers['x-signature'], WEBHOOK_SECRET),
      ).toBe(true);
      expect(JSON.parse(request.rawBody)).toMatchObject({
        userId: 'hooked',
        type: 'reauth_required',
      });
    }
  });
});

describe('permission-change jobs in separate worker processes', () => {
  let cli: BuiltCli;
  let app: PermissionApp;
  const workerPrefix = `test:${randomBytes(4).toString('hex')}:`;
  // The workers run the CLI test app's module (test/fixtures/cli-app) on this schema.
  const env = () => ({
    SESSION_SECURITY_CLI_CONFIG: cli.fixtureConfig,
    CLI_APP_DATABASE_URL: TEST_DATABASE_URL,
    CLI_APP_SCHEMA: schema.name,
    CLI_APP_REDIS_URL: TEST_REDIS_URL,
    CLI_APP_KEY_PREFIX: workerPrefix,
    CLI_APP_SECRET: TEST_SECRET,
  });

  beforeAll(async () => {
    cli = await buildCli();
    // The app's own tables, migrated as its deploy would: the CLI never migrates.
    const own = await openCliAppDatabase(env());
    await own.runMigrations({ transaction: 'each' });
    await own.destroy();
    app = await startPermissionApp(dataSource, workerPrefix, { worker: false });
    expect(app.app.get(PermissionChangeQueue).worker).toBe(false);
  }, 180_000); // compiling the CLI takes a while on a busy machine
  afterAll(async () => {
    await app?.close();
    await cli?.remove();
  });

  it('resumes a job whose worker was killed mid-job (SIGKILL) on another worker process, which finishes it once', async () => {
    await signIn(app, 'killed', 3);
    const table = `"${schema.name}".ss_notification`;
    const blocker = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await blocker.connect();
    // Holding this lock stops the job at its notification step, after it has marked the rows.
    await blocker.query(`BEGIN; LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    const { authzVersion } = await app.app
      .get(RevocationService)
      .permissionsChanged('killed', { reason: 'roles_changed' });
    expect((await changeOf('killed', authzVersion)).state).toBe('pending');

    const first = spawnCli(cli.main, ['worker'], env());
    const firstExit = new Promise((resolve) =>
      first.once('exit', (code, signal) => resolve(signal)),
    );
    try {
      await eventually(async () => {
        expect((await changeOf('killed', authzVersion)).markedSessions).toBe(3);
        const waiting = await blocker.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass`,
          [table],
        );
        expect(waiting.rows[0].n).toBeGreaterThan(0);
      }, 30_000);
    } finally {
      first.kill('SIGKILL');
    }
    expect(await firstExit).toBe('SIGKILL');
    await blocker.query('ROLLBACK');
    await blocker.end();
    expect((await changeOf('killed', authzVersion)).state).toBe('pending');
    expect(await reauthNotices(app, 'killed')).toHaveLength(0);

    const second = spawnCli(cli.main, ['worker'], env());
    try {
      await eventually(async () => {
        expect((await changeOf('killed', authzVersion)).state).toBe('done');
      }, 40_000);
    } finally {
      const exited = new Promise((resolve) => second.once('exit', resolve));
      second.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect((await changeOf('killed', authzVersion)).markedSessions).toBe(3);
    expect(await reauthNotices(app, 'killed')).toHaveLength(1);
    expect(await markedEvents(app, 'killed')).toHaveLength(1);
  }, 90_000);
});

describe('permission-change jobs in process, without Redis (SQLite)', () => {
  it('runs the job in process and, after a restart, finishes a change a crash left pending', async () => {
    const sqlite = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: sessionSecurityEntities,
      migrations: sessionSecurityMigrations,
    }).initialize();
    await sqlite.runMigrations({ transaction: 'each' });
    const changes = sqlite.getRepository(PermissionChangeEntity);
    let app = await startPermissionApp(sqlite, prefix, { redis: false });
    try {
      for (let i = 0; i < 2; i++) {
        await app.app.get(SessionService).create({ id: 'solo', roles: ['editor'] });
      }
      const { authzVersion } = await app.app
        .get(RevocationService)
        .permissionsChanged('solo', { reason: 'roles_changed' });
      await app.app.get(PermissionChangeQueue).whenIdle();
      expect(await changes.findOneByOrFail({ userId: 'solo', authzVersion })).toMatchObject({
        state: 'done',
        markedSessions: 2,
      });

      // A process that died right after committing a change never ran its job.
      await app.app.get(SessionService).create({ id: 'crashed', roles: ['editor'] });
      await changes.insert({
        ...{ userId: 'crashed', authzVersion: 1, reason: 'roles_changed', actor: null },
        ...{ changedAt: app.clock.now(), state: 'pending', markedSessions: 0 },
        ...{ finishedAt: null, error: null },
      });
      await app.close();
      app = await startPermissionApp(sqlite, prefix, { redis: false });
      // The startup scan runs in the background, after the app is up.
      await app.app.get(PermissionChangeStartup).loop.afterPasses(1);
      await app.app.get(PermissionChangeQueue).whenIdle();
      expect(await changes.findOneByOrFail({ userId: 'crashed', authzVersion: 1 })).toMatchObject({
        state: 'done',
        markedSessions: 1,
      });
      const inbox = await app.app.get(NotificationService).listForUser('crashed');
      expect(inbox.map((n) => n.type)).toEqual(['reauth_required']);
    } finally {
      await app.close();
      await sqlite.destroy();
    }
  });
});
