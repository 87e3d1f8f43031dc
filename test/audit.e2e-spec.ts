import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  AuditRetentionService,
  AuditChainBrokenError,
} from '../src/audit/audit-retention.service.js';
import { AuditService } from '../src/audit/audit.service.js';
import {
  AUDIT_CONFIG,
  resolveAuditConfig,
  type ResolvedAuditConfig,
} from '../src/audit/audit-config.js';
import { auditEntities } from '../src/audit/audit.entities.js';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { AuditCheckpoint } from '../src/audit/audit-checkpoint.entity.js';
import type { AuditOptions } from '../src/audit/audit-config.js';
import { AuditLog1763900000000 } from '../src/migrations/1763900000000-AuditLog.js';
import { Clock } from '../src/common/clock.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../src/common/tokens.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import { TEST_DATABASE_URL, createSchema } from './support/database.js';

const SECRET = 'audit-e2e-secret-of-at-least-32-characters';
const DAY = 24 * 3600 * 1000;
const hexKey = () => randomBytes(32).toString('hex');
const ENCRYPTION_KEY = hexKey();

interface Harness {
  dataSource: DataSource;
  clock: ManualClock;
  audit: AuditService;
  retention: AuditRetentionService;
  config: ResolvedAuditConfig;
}

function harness(
  dataSource: DataSource,
  options?: AuditOptions,
  clock = new ManualClock(),
): Harness {
  const config = resolveAuditConfig(options, SECRET);
  return {
    dataSource,
    clock,
    config,
    audit: new AuditService(dataSource, config, clock),
    retention: new AuditRetentionService(dataSource, config, clock),
  };
}

async function recordMany(audit: AuditService, count: number, userId = 'u-1'): Promise<void> {
  for (let i = 0; i < count; i++) {
    await audit.record({ type: 'session.created', userId, action: 'login', details: { i } });
  }
}

async function rawEvents(dataSource: DataSource): Promise<Record<string, unknown>[]> {
  return dataSource.query('SELECT * FROM ss_audit_event ORDER BY seq');
}

async function reset(dataSource: DataSource): Promise<void> {
  for (const table of ['ss_audit_event', 'ss_audit_checkpoint', 'ss_audit_head']) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
}

/** Swaps every stored column but `seq` between two rows, bypassing the service. */
async function swapContents(dataSource: DataSource, a: number, b: number): Promise<void> {
  const repo = dataSource.getRepository(AuditEvent);
  const [first, second] = [
    await repo.findOneByOrFail({ seq: a }),
    await repo.findOneByOrFail({ seq: b }),
  ];
  const contents = ({ seq: _seq, ...rest }: AuditEvent) => rest;
  await repo.update({ seq: a }, contents(second) as never);
  await repo.update({ seq: b }, contents(first) as never);
}

/** The tamper-evidence scenarios, run against PostgreSQL and SQLite alike. */
function tamperScenarios(get: () => Harness): void {
  it('verifies an untouched chain walked in several batches', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 12);
    const rows = await dataSource.getRepository(AuditEvent).find({ order: { seq: 'ASC' } });
    expect(rows.map((row) => row.seq)).toEqual([...Array(12).keys()].map((i) => i + 1));
    rows.slice(1).forEach((row, i) => expect(row.prevHash).toBe(rows[i].hash));
    await expect(audit.verify({ batchSize: 5 })).resolves.toEqual({ ok: true, checked: 12 });
  });

  it('finds a field edited in place at its sequence number', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 8);
    await dataSource.query(`UPDATE ss_audit_event SET "userId" = 'someone-else' WHERE seq = 5`);
    const result = await audit.verify({ batchSize: 3 });
    expect(result).toMatchObject({ ok: false, brokenAt: 5, checked: 4 });
    expect(result.ok || result.reason).toMatch(/altered/);
  });

  it('finds an edit of any stored column, in the first, a middle and the last row, at that seq', async () => {
    const { audit, dataSource } = get();
    const edits: Record<string, string> = {
      at: '"at" + 1',
      type: "'session.revoked'",
      actor: "'mallory'",
      userId: "'u-2'",
      sessionId: "'0f8f6a0c-3f59-4d6e-9b0f-6f1c7c1f2e3a'",
      ip: "'198.51.100.1'",
      userAgent: "'curl/8'",
      action: "'delete'",
      resource: "'session'",
      outcome: "'failure'",
      details: `'{"i":99}'`,
      keyId: "'k9'",
      prevHash: `'${'a'.repeat(64)}'`,
      hash: `'${'f'.repeat(64)}'`,
    };
    for (const [column, value] of Object.entries(edits)) {
      for (const seq of [1, 3, 5]) {
        await reset(dataSource);
        await recordMany(audit, 5);
        await dataSource.query(
          `UPDATE ss_audit_event SET "${column}" = ${value} WHERE seq = ${seq}`,
        );
        const result = await audit.verify({ batchSize: 2 });
        expect({ column, seq, result }).toMatchObject({
          column,
          seq,
          result: { ok: false, brokenAt: seq, checked: seq - 1 },
        });
      }
    }
  });

  it('finds two rows whose seq numbers were swapped', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 6);
    await dataSource.query('UPDATE ss_audit_event SET seq = 100 WHERE seq = 2');
    await dataSource.query('UPDATE ss_audit_event SET seq = 2 WHERE seq = 5');
    await dataSource.query('UPDATE ss_audit_event SET seq = 5 WHERE seq = 100');
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, brokenAt: 2, checked: 1 });
  });

  it('finds a deleted middle event', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 8);
    await dataSource.query('DELETE FROM ss_audit_event WHERE seq = 4');
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: false, brokenAt: 4, checked: 3 });
    expect(result.ok || result.reason).toMatch(/missing/);
  });

  it('finds a deletion hidden by renumbering the later events', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 8);
    await dataSource.query('DELETE FROM ss_audit_event WHERE seq = 4');
    for (let seq = 5; seq <= 8; seq++) {
      await dataSource.query(`UPDATE ss_audit_event SET seq = ${seq - 1} WHERE seq = ${seq}`);
    }
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('finds two events swapped', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 8);
    await swapContents(dataSource, 3, 6);
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, brokenAt: 3, checked: 2 });
  });

  it('finds the last event edited', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 6);
    await dataSource.query(`UPDATE ss_audit_event SET outcome = 'failure' WHERE seq = 6`);
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, brokenAt: 6, checked: 5 });
  });

  it('finds events cut off the end of the chain', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 6);
    await dataSource.query('DELETE FROM ss_audit_event WHERE seq >= 5');
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: false, brokenAt: 5, checked: 4 });
    expect(result.ok || result.reason).toMatch(/head records 6/);
  });

  it('finds details replaced by text that is not JSON', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 3);
    await dataSource.query(`UPDATE ss_audit_event SET details = '{oops' WHERE seq = 2`);
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, brokenAt: 2 });
    const [second] = await audit.tail(2);
    expect(second.details).toEqual({ $unparsable: '{oops' });
  });
}

function retentionScenarios(get: () => Harness): void {
  it('prunes old events behind a checkpoint and still verifies the rest', async () => {
    const { audit, retention, clock, dataSource } = get();
    clock.freeze();
    await recordMany(audit, 5);
    clock.advance(10 * DAY);
    await recordMany(audit, 3);
    const archived: AuditEvent[] = [];
    const result = await retention.prune(7 * DAY, {
      batchSize: 2,
      archive: (events) => void archived.push(...(events as AuditEvent[])),
    });
    const fifth = archived.at(-1)!;
    expect(result).toEqual({ removed: 5, checkpoint: { seq: 5, hash: fifth.hash } });
    expect(archived.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await dataSource.getRepository(AuditEvent).count()).toBe(3);
    await expect(audit.verify()).resolves.toEqual({ ok: true, checked: 3 });
    await recordMany(audit, 2);
    await expect(audit.verify()).resolves.toEqual({ ok: true, checked: 5 });
    await expect(retention.prune(7 * DAY)).resolves.toMatchObject({ removed: 0 });
  });

  it('keeps a pruned-empty chain going from the checkpoint', async () => {
    const { audit, retention, clock } = get();
    clock.freeze();
    await recordMany(audit, 3);
    clock.advance(DAY);
    await expect(retention.prune(0)).resolves.toMatchObject({ removed: 3 });
    await expect(audit.verify()).resolves.toEqual({ ok: true, checked: 0 });
    await recordMany(audit, 1);
    expect((await audit.tail(1))[0].seq).toBe(4);
    await expect(audit.verify()).resolves.toEqual({ ok: true, checked: 1 });
  });

  it('rejects a forged checkpoint that hides deleted events', async () => {
    const { audit, dataSource } = get();
    await recordMany(audit, 6);
    const third = await dataSource.getRepository(AuditEvent).findOneByOrFail({ seq: 3 });
    await dataSource.query('DELETE FROM ss_audit_event WHERE seq <= 3');
    await dataSource.getRepository(AuditCheckpoint).insert({
      ...{ seq: 3, hash: third.hash, eventAt: third.at, createdAt: third.at, removed: 3 },
      ...{ keyId: 'default', mac: 'f'.repeat(64) },
    });
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: false, brokenAt: 4, checked: 0 });
    expect(result.ok || result.reason).toMatch(/checkpoint 3 was altered or forged/);
  });

  it('refuses to prune events whose chain is broken', async () => {
    const { audit, retention, clock, dataSource } = get();
    clock.freeze();
    await recordMany(audit, 4);
    await dataSource.query(`UPDATE ss_audit_event SET "userId" = 'x' WHERE seq = 2`);
    clock.advance(DAY);
    await expect(retention.prune(0)).rejects.toBeInstanceOf(AuditChainBrokenError);
    expect(await dataSource.getRepository(AuditEvent).count()).toBe(4);
  });
}

describe('audit log on PostgreSQL', () => {
  let schema: { name: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let h: Harness;
  const sources: DataSource[] = [];

  const pgOptions = (): DataSourceOptions => ({
    type: 'postgres',
    url: TEST_DATABASE_URL,
    schema: schema.name,
    extra: { options: `-c search_path=${schema.name}`, max: 5 },
    entities: auditEntities,
    migrations: [AuditLog1763900000000],
  });

  async function openSource(): Promise<DataSource> {
    const source = await new DataSource(pgOptions()).initialize();
    sources.push(source);
    return source;
  }

  beforeAll(async () => {
    schema = await createSchema('audit');
    dataSource = await openSource();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    for (const source of sources) if (source.isInitialized) await source.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await reset(dataSource);
    h = harness(dataSource, { encryptionKey: ENCRYPTION_KEY, encryptFields: ['email'] });
  });

  describe('tamper evidence', () => tamperScenarios(() => h));
  describe('retention', () => retentionScenarios(() => h));

  it('never stores passwords, tokens or token hashes', async () => {
    const token = randomBytes(32).toString('base64url');
    const tokenHash = 'ab'.repeat(32);
    await h.audit.record({
      type: 'login.failed',
      sessionId: token,
      details: {
        username: 'ann',
        password: 'hunter2-secret-pw',
        token,
        tokenHash,
        secret: 'the-client-secret',
        form: { newPassword: 'correct-horse' },
      },
    });
    const stored = JSON.stringify(await rawEvents(dataSource));
    for (const value of [
      'hunter2-secret-pw',
      token,
      tokenHash,
      'the-client-secret',
      'correct-horse',
    ]) {
      expect(stored).not.toContain(value);
    }
    const [event] = await h.audit.tail(1);
    expect(event.sessionId).toBeNull();
    expect(event.details).toEqual({
      username: 'ann',
      form: {},
      redacted: ['password', 'token', 'tokenHash', 'secret', 'form.newPassword', 'sessionId'],
    });
    await expect(h.audit.verify()).resolves.toEqual({ ok: true, checked: 1 });
  });

  it('encrypts configured fields at rest and verifies without the encryption key', async () => {
    await h.audit.record({
      type: 'user.disabled',
      userId: 'u-9',
      details: { email: 'ann@example.com', reason: 'left the company' },
    });
    const [row] = await rawEvents(dataSource);
    expect(row.details).toMatch(/"email":"enc:v1:[\w-]+:[\w-]+:[\w-]+:[\w-]+"/);
    expect(row.details).not.toContain('ann@example.com');
    expect(row.details).toContain('left the company');

    const [event] = await h.audit.list({ userId: 'u-9' });
    expect(event.details).toEqual({ email: 'ann@example.com', reason: 'left the company' });

    const keyless = harness(dataSource);
    await expect(keyless.audit.verify()).resolves.toEqual({ ok: true, checked: 1 });
    const [opaque] = await keyless.audit.list();
    expect(opaque.details.email).toMatch(/^enc:v1:/);
  });

  it('verifies events signed with a rotated-out key id', async () => {
    const k1 = hexKey();
    const before = harness(dataSource, { keys: { k1 } });
    await recordMany(before.audit, 3);
    const after = harness(dataSource, { keys: { k2: hexKey(), k1 } });
    await recordMany(after.audit, 2);

    const rows = await dataSource.getRepository(AuditEvent).find({ order: { seq: 'ASC' } });
    expect(rows.map((row) => row.keyId)).toEqual(['k1', 'k1', 'k1', 'k2', 'k2']);
    await expect(after.audit.verify()).resolves.toEqual({ ok: true, checked: 5 });

    const forgotten = harness(dataSource, { keys: { k2: hexKey() } });
    const result = await forgotten.audit.verify();
    expect(result).toMatchObject({ ok: false, brokenAt: 1 });
    expect(result.ok || result.reason).toMatch(/unknown key id 'k1'/);
  });

  it('keeps one gapless chain under concurrent appends from two instances', async () => {
    const first = harness(await openSource());
    const second = harness(await openSource());
    const burst = (audit: AuditService, who: string) =>
      Array.from({ length: 100 }, (_, i) =>
        audit.record({ type: 'policy.denied', actor: who, details: { i } }),
      );
    await Promise.all([...burst(first.audit, 'a'), ...burst(second.audit, 'b')]);

    const rows = await dataSource.getRepository(AuditEvent).find({ order: { seq: 'ASC' } });
    expect(rows.map((row) => row.seq)).toEqual([...Array(200).keys()].map((i) => i + 1));
    expect(rows.filter((row) => row.actor === 'a')).toHaveLength(100);
    await expect(h.audit.verify({ batchSize: 64 })).resolves.toEqual({ ok: true, checked: 200 });
  });

  it('commits a burst of appends in a few chain transactions, each stored before it resolves', async () => {
    let chainLocks = 0;
    const logger = {
      logQuery: (query: string) => void (/FOR UPDATE/i.test(query) && chainLocks++),
      logQueryError() {},
      logQuerySlow() {},
      logSchemaBuild() {},
      logMigration() {},
      log() {},
    };
    const counted = await new DataSource({
      ...pgOptions(),
      logging: ['query'],
      logger,
    }).initialize();
    sources.push(counted);
    const { audit } = harness(counted);
    let resolved = 0;
    const storedWhenResolved: boolean[] = [];
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        audit.record({ type: 'access.denied', details: { i } }).then(async () => {
          const before = ++resolved;
          const [{ count }] = await dataSource.query(
            'SELECT count(*)::int AS count FROM ss_audit_event',
          );
          storedWhenResolved.push(count >= before);
        }),
      ),
    );
    expect(storedWhenResolved).toHaveLength(300);
    expect(storedWhenResolved.every(Boolean)).toBe(true);
    expect(chainLocks).toBeLessThan(30);
    await expect(h.audit.verify({ batchSize: 100 })).resolves.toEqual({ ok: true, checked: 300 });
  });

  it('lists newest first by user and type, pages with beforeSeq, and tails oldest first', async () => {
    await recordMany(h.audit, 3, 'u-1');
    await h.audit.record({ type: 'logout', userId: 'u-2' });
    await recordMany(h.audit, 2, 'u-2');

    const forU1 = await h.audit.list({ userId: 'u-1' });
    expect(forU1.map((event) => event.seq)).toEqual([3, 2, 1]);
    const created = await h.audit.list({ type: 'session.created', limit: 2 });
    expect(created.map((event) => event.seq)).toEqual([6, 5]);
    const next = await h.audit.list({ type: 'session.created', limit: 2, beforeSeq: 5 });
    expect(next.map((event) => event.seq)).toEqual([3, 2]);
    expect((await h.audit.tail(2)).map((event) => event.seq)).toEqual([5, 6]);
    await expect(h.audit.list({ limit: 0 })).rejects.toThrow('limit: must be an integer');
  });

  it('is injectable through the module tokens and drains appends on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: SESSION_SECURITY_DATA_SOURCE, useValue: dataSource },
        { provide: AUDIT_CONFIG, useValue: resolveAuditConfig(undefined, SECRET) },
        { provide: Clock, useValue: new ManualClock() },
        AuditService,
        AuditRetentionService,
      ],
    }).compile();
    const audit = moduleRef.get(AuditService);
    const pending = Array.from({ length: 10 }, () => audit.record({ type: 'logout' }));
    await moduleRef.close();
    await Promise.all(pending);
    expect(await dataSource.getRepository(AuditEvent).count()).toBe(10);
  });
});

describe('audit log on SQLite (better-sqlite3)', () => {
  let dataSource: DataSource;
  let h: Harness;

  beforeAll(async () => {
    dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: auditEntities,
      migrations: [AuditLog1763900000000],
      migrationsRun: true,
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  beforeEach(async () => {
    await reset(dataSource);
    h = harness(dataSource, { encryptionKey: ENCRYPTION_KEY, encryptFields: ['email'] });
  });

  describe('tamper evidence', () => tamperScenarios(() => h));
  describe('retention', () => retentionScenarios(() => h));

  it('serialises parallel appends into one gapless chain', async () => {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => h.audit.record({ type: 'logout', details: { i } })),
    );
    const rows = await dataSource.getRepository(AuditEvent).find({ order: { seq: 'ASC' } });
    expect(rows.map((row) => row.seq)).toEqual([...Array(100).keys()].map((i) => i + 1));
    await expect(h.audit.verify()).resolves.toEqual({ ok: true, checked: 100 });
  });

  it('encrypts at rest and decrypts through the service', async () => {
    await h.audit.record({ type: 'user.enabled', details: { email: 'bob@example.com' } });
    const [row] = await rawEvents(dataSource);
    expect(row.details).not.toContain('bob@example.com');
    const [event] = await h.audit.tail(1);
    expect(event.details).toEqual({ email: 'bob@example.com' });
    expect(typeof event.seq).toBe('number');
    expect(typeof event.at).toBe('number');
  });
});
