import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RevocationMarkerEntity } from '../src/session/revocation-marker.entity.js';
import { SessionRecords } from '../src/session/session-records.js';
import { SessionUserStateEntity } from '../src/session/session-user-state.entity.js';
import { SessionEntity } from '../src/session/session.entity.js';
import { UserStateRecords } from '../src/session/user-state-records.js';
import { createSchema, openModuleDatabase } from './support/database.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function row(changes: Partial<SessionEntity> = {}): SessionEntity {
  return {
    id: randomUUID(),
    tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'),
    userId: 'u-1',
    tenantId: null,
    roles: ['editor'],
    authzVersion: 0,
    createdAt: NOW - 60_000,
    lastSeenAt: NOW - 60_000,
    idleExpiresAt: NOW + 60_000,
    absoluteExpiresAt: NOW + 3_600_000,
    authenticatedAt: NOW - 60_000,
    authLevel: 'password',
    ip: '10.0.0.1',
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

describe('SessionRecords and UserStateRecords on PostgreSQL (the persistence seam)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let records: SessionRecords;
  let states: UserStateRecords;

  beforeAll(async () => {
    schema = await createSchema('session_records');
    dataSource = await openModuleDatabase(schema.name);
    records = new SessionRecords(dataSource);
    states = new UserStateRecords(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await dataSource.getRepository(SessionEntity).clear();
    await dataSource.getRepository(SessionUserStateEntity).clear();
    await dataSource.getRepository(RevocationMarkerEntity).clear();
  });

  it('rotates a live token once: a revoked or already rotated token gets null', async () => {
    const live = row({ data: { cart: 3 } });
    const revoked = row({ revokedAt: NOW, revokedReason: 'logout' });
    await records.insertSession(live);
    await records.insertSession(revoked);

    const rotated = await records.rotateToken(
      live.tokenHash,
      'b'.repeat(64),
      { authLevel: 'mfa' },
      NOW,
    );
    expect(rotated).toMatchObject({ id: live.id, tokenHash: 'b'.repeat(64), authLevel: 'mfa' });
    expect(rotated).toMatchObject({ lastSeenAt: NOW, data: { cart: 3 } });
    expect(await records.rotateToken(live.tokenHash, 'c'.repeat(64), {}, NOW)).toBeNull();
    expect(await records.rotateToken(revoked.tokenHash, 'd'.repeat(64), {}, NOW)).toBeNull();
    expect(await records.findByTokenHash(live.tokenHash)).toBeNull();
  });

  it('marks only sessions not revoked yet, keeping an earlier revocation and its reason', async () => {
    const a = row();
    const b = row({ revokedAt: NOW - 5, revokedReason: 'logout' });
    await records.insertSession(a);
    await records.insertSession(b);

    expect(await records.markRevoked([a.id, b.id], 'x'.repeat(100), NOW)).toBe(1);
    expect(await records.markRevoked([], 'admin', NOW)).toBe(0);
    const after = await dataSource.getRepository(SessionEntity).findBy({});
    const byId = new Map(after.map((r) => [r.id, r]));
    expect(byId.get(a.id)).toMatchObject({ revokedAt: NOW, revokedReason: 'x'.repeat(64) });
    expect(byId.get(b.id)).toMatchObject({ revokedAt: NOW - 5, revokedReason: 'logout' });
  });

  it('ends a token once and says why it ended; touch leaves an ended session alone', async () => {
    const s = row();
    await records.insertSession(s);

    expect(await records.touch(s.tokenHash, NOW, NOW + 1_000)).toBe(true);
    expect(await records.findByTokenHash(s.tokenHash)).toMatchObject({
      lastSeenAt: NOW,
      idleExpiresAt: NOW + 1_000,
    });
    expect(await records.endedReason(s.tokenHash)).toBeNull();
    expect(await records.endToken(s.tokenHash, 'expired_idle', NOW)).toBe(true);
    expect(await records.endToken(s.tokenHash, 'expired_absolute', NOW)).toBe(false);
    expect(await records.endedReason(s.tokenHash)).toBe('expired_idle');
    expect(await records.touch(s.tokenHash, NOW + 5, NOW + 2_000)).toBe(false);
    expect(await records.endedReason('f'.repeat(64))).toBeNull();
  });

  it('finds a live session by id, only for its own user when one is given', async () => {
    const s = row();
    const ended = row({ revokedAt: NOW, revokedReason: 'admin' });
    await records.insertSession(s);
    await records.insertSession(ended);

    expect((await records.findLive(s.id))?.id).toBe(s.id);
    expect((await records.findLive(s.id, 'u-1'))?.id).toBe(s.id);
    expect(await records.findLive(s.id, 'u-2')).toBeNull();
    expect(await records.findLive(ended.id)).toBeNull();
  });

  it('lists the live sessions of a user: all but the excepted one, or the newest n first', async () => {
    const rows = [0, 1, 2].map((i) => row({ createdAt: NOW - 1_000 + i }));
    await Promise.all(rows.map((r) => records.insertSession(r)));
    await records.insertSession(row({ revokedAt: NOW, revokedReason: 'admin' }));
    await records.insertSession(row({ userId: 'u-2' }));

    const ids = (list: SessionEntity[]) => list.map((r) => r.id);
    expect(ids(await records.listLive('u-1')).sort()).toEqual(ids(rows).sort());
    expect(ids(await records.listLive('u-1', { except: rows[1].id })).sort()).toEqual(
      [rows[0].id, rows[2].id].sort(),
    );
    expect(ids(await records.listLive('u-1', { newest: 2 }))).toEqual([rows[2].id, rows[1].id]);
    expect((await records.liveTokens('u-1')).map((r) => r.tokenHash).sort()).toEqual(
      rows.map((r) => r.tokenHash).sort(),
    );
  });

  it('gives the origins of the newest n other sign-ins, ended ones included', async () => {
    const current = row({ createdAt: NOW, ip: '10.9.9.9' });
    await records.insertSession(current);
    await records.insertSession(row({ createdAt: NOW - 3, ip: '10.0.0.3' }));
    await records.insertSession(
      row({ createdAt: NOW - 2, ip: '10.0.0.2', revokedAt: NOW, revokedReason: 'logout' }),
    );
    await records.insertSession(row({ createdAt: NOW - 1, ip: '10.0.0.1', userAgent: 'curl' }));
    await records.insertSession(row({ userId: 'u-2', createdAt: NOW - 1, ip: '10.7.7.7' }));

    expect(await records.recentSignIns('u-1', current.id, 2)).toEqual([
      { ip: '10.0.0.1', userAgent: 'curl' },
      { ip: '10.0.0.2', userAgent: 'Mozilla/5.0' },
    ]);
  });

  it('raises the permission version in one transaction with what is recorded beside it', async () => {
    const seen: number[] = [];
    const record = async (_: unknown, version: number) => void seen.push(version);
    expect(await states.raisePermissionVersion('u-1', NOW, record)).toBe(1);
    expect(await states.raisePermissionVersion('u-1', NOW + 1, record)).toBe(2);
    expect(seen).toEqual([1, 2]);

    const failing = states.raisePermissionVersion('u-1', NOW + 2, async (manager) => {
      await manager.getRepository(RevocationMarkerEntity).insert({
        scope: 'user',
        value: 'u-1',
        notBefore: NOW,
        reason: 'written in the transaction',
        actor: null,
      });
      throw new Error('recording failed');
    });
    await expect(failing).rejects.toThrow('recording failed');
    // Rolled back together: the version is not raised and the recorded write is gone.
    expect(await states.userState('u-1')).toMatchObject({ authzVersion: 2, notBefore: NOW + 1 });
    expect(await dataSource.getRepository(RevocationMarkerEntity).count()).toBe(0);
  });

  it('creates a user state row on the first change and updates it after', async () => {
    await states.upsertUserState('u-3', { disabledAt: NOW, updatedAt: NOW }, NOW);
    expect(await states.userState('u-3')).toMatchObject({ authzVersion: 0, disabledAt: NOW });
    await states.upsertUserState('u-3', { disabledAt: null, updatedAt: NOW + 1 }, NOW + 1);
    expect(await states.userState('u-3')).toMatchObject({ disabledAt: null, updatedAt: NOW + 1 });
    expect(await states.userState('nobody')).toBeNull();
  });

  it('moves a revocation marker forward only', async () => {
    const marker = { scope: 'tenant' as const, value: 'acme', reason: 'breach', actor: 'ops' };
    await states.raiseMarker({ ...marker, notBefore: NOW });
    await states.raiseMarker({ ...marker, notBefore: NOW - 10, reason: 'older' });
    const markers = dataSource.getRepository(RevocationMarkerEntity);
    expect(await markers.findOneBy({ scope: 'tenant', value: 'acme' })).toMatchObject({
      notBefore: NOW,
      reason: 'breach',
    });
    await states.raiseMarker({ ...marker, notBefore: NOW + 10, reason: 'r'.repeat(300) });
    expect(await markers.findOneBy({ scope: 'tenant', value: 'acme' })).toMatchObject({
      notBefore: NOW + 10,
      reason: 'r'.repeat(256),
    });
  });
});
