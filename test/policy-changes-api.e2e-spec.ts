import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Clock } from '../src/index.js';
import { RESOLVED_OPTIONS } from '../src/common/tokens.js';
import { SessionRecords } from '../src/session/session-records.js';
import { PolicyChanges } from '../src/policy-tools.js';
import {
  AuditService,
  PolicyService,
  RevocationService,
  SessionEvents,
  SessionService,
  type PolicyDocument,
} from '../src/index.js';
import { createSchema, openModuleDatabase, TEST_REDIS_URL } from './support/database.js';
import { startPermissionApp, type PermissionApp } from './support/permission-app.js';

const before: PolicyDocument = {
  roles: {
    editor: [
      { id: 'editor-read', action: 'read', subject: 'Article' },
      { id: 'editor-update', action: 'update', subject: 'Article' },
    ],
    viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }],
  },
};
const withoutUpdates: PolicyDocument = {
  roles: { viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }] },
};
const withoutReads: PolicyDocument = {
  roles: {
    editor: [{ id: 'editor-update', action: 'update', subject: 'Article' }],
    viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }],
  },
};

describe('PolicyChanges.load() with a document', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let app: PermissionApp;
  let quiet: PermissionApp;

  const tag = randomBytes(4).toString('hex');

  beforeAll(async () => {
    schema = await createSchema('policy_changes_api');
    dataSource = await openModuleDatabase(schema.name);
    app = await startPermissionApp(dataSource, `test:pc-api:${tag}:a:`, {
      policy: { document: before },
    });
    quiet = await startPermissionApp(dataSource, `test:pc-api:${tag}:b:`, {
      policy: { document: before, reauthOnShrink: false },
    });
  });
  afterAll(async () => {
    await app?.close();
    await quiet?.close();
    await dataSource?.destroy();
    await schema?.drop();
  });

  const signIn = async (target: PermissionApp, id: string, roles: string[]) => {
    const { token } = await target.app.get(SessionService).create({ id, roles });
    return `__Host-t=${token}`;
  };

  it('spares a user whose other role still grants what one role lost', async () => {
    const editor = await signIn(app, 'e-1', ['editor']);
    const both = await signIn(app, 'e-2', ['editor', 'viewer']);
    const viewer = await signIn(app, 'v-1', ['viewer']);
    const result = await app.app
      .get(PolicyChanges)
      .load({ document: withoutReads }, { actor: 'ops:jane', reason: 'CHG-1' });
    expect(result).toMatchObject({ changed: true, recorded: true, reauthUsers: ['e-1'] });
    const denied = await app.http.get('/whoami').set('Cookie', editor).expect(401);
    expect(denied.body.reason).toBe('permissions_changed');
    await app.http.get('/whoami').set('Cookie', both).expect(200);
    await app.http.get('/whoami').set('Cookie', viewer).expect(200);
    const [event] = await app.app.get(AuditService).list({ type: 'policy.changed', limit: 1 });
    expect(event).toMatchObject({ actor: 'ops:jane', resource: 'options' });
    expect(event.details).toMatchObject({ reason: 'CHG-1', reauthOnShrink: true });
  });

  it('with reauthOnShrink: false only audits the change', async () => {
    const editor = await signIn(quiet, 'e-3', ['editor']);
    const result = await quiet.app.get(PolicyChanges).load({ document: withoutReads });
    expect(result).toMatchObject({ changed: true, recorded: true, reauthUsers: [] });
    expect(result.diff?.revoked).toEqual([
      { role: 'editor', id: 'editor-read', rule: 'allows read on Article' },
    ]);
    await quiet.http.get('/whoami').set('Cookie', editor).expect(200);
    const [event] = await quiet.app.get(AuditService).list({ type: 'policy.changed', limit: 1 });
    expect(event.details).toMatchObject({ reauthOnShrink: false, shrunkRoles: ['editor'] });
  });

  it('records the change when the claim cannot reach Redis, rather than not at all', async () => {
    const closed = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    const get = <T>(token: unknown) => app.app.get<T>(token as never, { strict: false });
    const changes = new PolicyChanges(
      get(PolicyService),
      get(RevocationService),
      get(SessionRecords),
      get(SessionEvents),
      get(Clock),
      get(RESOLVED_OPTIONS),
      closed,
    );
    const editor = await signIn(app, 'e-4', ['editor']);
    const result = await changes.load({ document: withoutUpdates });
    // Every editor with a live session in the shared table loses `update`; the viewer does not.
    expect(result).toMatchObject({
      changed: true,
      recorded: true,
      reauthUsers: ['e-1', 'e-2', 'e-3', 'e-4'],
    });
    await app.http.get('/whoami').set('Cookie', editor).expect(401);
    closed.disconnect();
  });

  it('puts the previous policy back when the change cannot be recorded, so a retry records it', async () => {
    const policy = app.app.get(PolicyService);
    const inForce = policy.version;
    const table = `"${schema.name}"."ss_session"`;
    // A real database failure while the change is recorded: the sessions' table is away.
    await dataSource.query(`ALTER TABLE ${table} RENAME TO ss_session_away`);
    try {
      await expect(app.app.get(PolicyChanges).load({ document: before })).rejects.toThrow();
      expect(policy.version).toBe(inForce);
    } finally {
      await dataSource.query(`ALTER TABLE "${schema.name}"."ss_session_away" RENAME TO ss_session`);
    }
    const retried = await app.app.get(PolicyChanges).load({ document: before });
    expect(retried).toMatchObject({ changed: true, recorded: true });
    expect(policy.version).not.toBe(inForce);
    const events = await app.app.get(AuditService).list({ type: 'policy.changed', limit: 10 });
    expect(events.filter((e) => e.details.to === retried.version)).toHaveLength(1);
  });
});
