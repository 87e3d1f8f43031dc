import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { sessionSecurityEntities, sessionSecurityMigrations } from '../src/index.js';
import { SessionCore1763800000000 } from '../src/migrations/1763800000000-session-core.js';
import {
  SESSION_FILLFACTOR,
  SessionFillfactor1764200000000,
} from '../src/migrations/1764200000000-session-fillfactor.js';
import { SessionMatcher } from '../src/revocation/bulk/session-matcher.js';
import { SessionEntity } from '../src/session/session.entity.js';
import { createSchema, openModuleDatabase, TEST_DATABASE_URL } from './support/database.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function row(index: number, changes: Partial<SessionEntity> = {}): SessionEntity {
  return {
    id: randomUUID(),
    tokenHash: `${index}`.padStart(64, '0'),
    userId: `u-${index % 3}`,
    tenantId: index % 2 ? 'acme' : null,
    roles: ['editor'],
    authzVersion: 0,
    createdAt: NOW - 60_000 - index,
    lastSeenAt: NOW,
    idleExpiresAt: NOW + 60_000,
    absoluteExpiresAt: NOW + 3_600_000,
    authenticatedAt: NOW - 60_000,
    authLevel: 'password',
    ip: `10.0.0.${index % 250}`,
    userAgent: 'Mozilla/5.0',
    data: {},
    revokedAt: null,
    revokedReason: null,
    reauthRequiredAt: null,
    kind: 'standard',
    tokenIssuedAt: null,
    reauthenticatedAt: null,
    fingerprint: null,
    suspiciousChangeAt: null,
    ...changes,
  };
}

describe('SessionMatcher.revokePage on PostgreSQL (one statement per batch)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    schema = await createSchema('session_matcher');
    dataSource = await openModuleDatabase(schema.name);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await dataSource.getRepository(SessionEntity).clear();
  });

  it('revokes the matching live rows page by page, in id order, each exactly once', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => row(i));
    expect(rows.filter((r) => r.tenantId === 'acme')).toHaveLength(6);
    const expired = row(20, { idleExpiresAt: NOW - 1 });
    const other = row(21, { tenantId: 'other' });
    const ended = row(22, { revokedAt: NOW - 5, revokedReason: 'logout' });
    await dataSource.getRepository(SessionEntity).insert([...rows, expired, other, ended]);
    const matcher = new SessionMatcher({ tenantId: 'acme' }, NOW, NOW);
    const acme = (
      await dataSource.query(
        `SELECT id FROM ss_session WHERE "tenantId" = 'acme' AND "revokedAt" IS NULL
         AND "idleExpiresAt" > $1 ORDER BY id`,
        [NOW],
      )
    ).map((r: { id: string }) => r.id);
    expect(acme).toHaveLength(6);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await matcher.revokePage(dataSource.manager, cursor, 4, NOW, 'incident');
      if (!page || page.lastId === null) break;
      expect(page.rows.length).toBeLessThanOrEqual(4);
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.lastId;
    }

    expect(seen).toEqual(acme);
    const stored = await dataSource.getRepository(SessionEntity).find();
    const revoked = stored.filter((s) => s.revokedReason === 'incident').map((s) => s.id);
    expect(revoked.sort()).toEqual([...acme].sort());
    expect(stored.find((s) => s.id === ended.id)?.revokedReason).toBe('logout');
    expect(stored.find((s) => s.id === expired.id)?.revokedAt).toBeNull();
  });

  it('returns the columns the job needs, with their types', async () => {
    const first = row(1, { roles: ['editor', 'admin'] });
    await dataSource.getRepository(SessionEntity).insert(first);
    const page = await new SessionMatcher({ all: true }, NOW, NOW).revokePage(
      dataSource.manager,
      null,
      10,
      NOW,
      'incident',
    );
    expect(page?.lastId).toBe(first.id);
    expect(page?.rows).toEqual([
      {
        id: first.id,
        tokenHash: first.tokenHash,
        userId: first.userId,
        createdAt: first.createdAt,
        ip: first.ip,
        roles: ['editor', 'admin'],
        userAgent: first.userAgent,
      },
    ]);
  });

  it('leaves filters that are checked in code (networks, roles, user agents) to page()', async () => {
    await dataSource.getRepository(SessionEntity).insert(row(1));
    for (const filter of [{ ip: '10.0.0.0/8' }, { roles: ['editor'] }, { userAgent: 'mozilla' }]) {
      const matcher = new SessionMatcher(filter, NOW, NOW);
      expect(await matcher.revokePage(dataSource.manager, null, 10, NOW, 'x')).toBeNull();
    }
    const [stored] = await dataSource.getRepository(SessionEntity).find();
    expect(stored.revokedAt).toBeNull();
  });
});

describe('sessions table fillfactor migration', () => {
  it('leaves room on each PostgreSQL page for in-place updates, and undoes it', async () => {
    const schema = await createSchema('fillfactor');
    const dataSource = new DataSource({
      type: 'postgres',
      url: TEST_DATABASE_URL,
      schema: schema.name,
      entities: sessionSecurityEntities,
      migrations: sessionSecurityMigrations,
    });
    const options = async () => {
      const [table] = (await dataSource.query(
        `SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = 'ss_session'`,
        [schema.name],
      )) as Array<{ reloptions: string[] | null }>;
      return table.reloptions ?? [];
    };
    try {
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await options()).toEqual([`fillfactor=${SESSION_FILLFACTOR}`]);
      // Undo the migrations that came after it, then the fillfactor one itself.
      const fillfactor = sessionSecurityMigrations.findIndex((m) => m.name.includes('Fillfactor'));
      const later = sessionSecurityMigrations.length - 1 - fillfactor;
      for (let i = 0; i < later; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await options()).toEqual([`fillfactor=${SESSION_FILLFACTOR}`]);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await options()).toEqual([]);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await schema.drop();
    }
  });

  it('runs on SQLite as a no-op', async () => {
    const sqlite = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [SessionEntity],
      migrations: [SessionCore1763800000000, SessionFillfactor1764200000000],
    }).initialize();
    try {
      const ran = await sqlite.runMigrations();
      expect(ran.map((m) => m.name)).toEqual([
        'SessionCore1763800000000',
        'SessionFillfactor1764200000000',
      ]);
    } finally {
      await sqlite.destroy();
    }
  });
});
