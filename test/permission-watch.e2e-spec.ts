import { randomBytes } from 'node:crypto';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import {
  SessionSecurityOptionsError,
  SessionService,
  sessionSecurityEntities,
  sessionSecurityMigrations,
} from '../src/index.js';
import { SessionUserStateEntity } from '../src/session/session-user-state.entity.js';
import { TEST_DATABASE_URL, createSchema } from './support/database.js';
import { startPermissionApp, type PermissionApp } from './support/permission-app.js';

/** The test app's own user table. */
@Entity('watch_member')
class Member {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'varchar', length: 64 })
  nickname!: string;
}

/** A role assignment row: any insert or removal changes the member's permissions. */
@Entity('watch_member_role')
class MemberRole {
  @PrimaryColumn({ type: 'integer' })
  memberId!: number;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  role!: string;
}

/** A grant that can be handed from one member to another (the owner is not part of the key). */
@Entity('watch_member_grant')
class MemberGrant {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  memberId!: number;
}

describe('automatic detection of permission changes (opt-in TypeORM watcher)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let app: PermissionApp;
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const members = () => dataSource.getRepository(Member);

  beforeAll(async () => {
    schema = await createSchema('perm_watch');
    dataSource = await new DataSource({
      type: 'postgres',
      url: TEST_DATABASE_URL,
      schema: schema.name,
      extra: { options: `-c search_path=${schema.name}` },
      entities: [...sessionSecurityEntities, Member, MemberRole, MemberGrant],
      migrations: sessionSecurityMigrations,
    }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.query(
      `CREATE TABLE "${schema.name}".watch_member (id integer PRIMARY KEY, roles text NOT NULL, nickname varchar(64) NOT NULL)`,
    );
    await dataSource.query(
      `CREATE TABLE "${schema.name}".watch_member_role ("memberId" integer, role varchar(32), PRIMARY KEY ("memberId", role))`,
    );
    await dataSource.query(
      `CREATE TABLE "${schema.name}".watch_member_grant (id integer PRIMARY KEY, "memberId" integer NOT NULL)`,
    );
    app = await startPermissionApp(dataSource, prefix, {
      permissionChanges: {
        watch: [
          { entity: Member, columns: ['roles'], userId: (m: Member) => m.id },
          { entity: MemberRole, userId: (r: MemberRole) => r.memberId, reason: 'role_assignment' },
          { entity: MemberGrant, userId: (g: MemberGrant) => g.memberId },
        ],
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await schema?.drop();
  });

  let nextId = 1;
  async function memberWithSession(): Promise<{ member: Member; cookie: string }> {
    const member = await members().save({ id: nextId++, roles: ['editor'], nickname: 'm' });
    const { token } = await app.app
      .get(SessionService)
      .create({ id: String(member.id), roles: member.roles });
    const cookie = `__Host-t=${token}`;
    await app.http.get('/whoami').set('Cookie', cookie).expect(200);
    return { member, cookie };
  }
  const versionOf = async (id: number) =>
    (await dataSource.getRepository(SessionUserStateEntity).findOneBy({ userId: String(id) }))
      ?.authzVersion ?? 0;

  it('forces re-authentication once a transaction that changed a watched column commits', async () => {
    const { member, cookie } = await memberWithSession();
    await dataSource.transaction(async (manager) => {
      const row = await manager.findOneByOrFail(Member, { id: member.id });
      row.roles = ['viewer'];
      await manager.save(row);
    });
    const denied = await app.http.get('/whoami').set('Cookie', cookie).expect(401);
    expect(denied.body).toMatchObject({ error: 'reauth_required', reason: 'permissions_changed' });
    expect(await versionOf(member.id)).toBe(1);
  });

  it('does nothing for a rolled-back change, nor for one in a savepoint that was rolled back', async () => {
    const { member, cookie } = await memberWithSession();
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.save(Member, { ...member, roles: ['admin'] });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await dataSource.transaction(async (manager) => {
      await manager.save(Member, { ...member, nickname: 'outer' });
      await manager
        .transaction(async (inner) => {
          await inner.save(Member, { ...member, nickname: 'outer', roles: ['admin'] });
          throw new Error('inner abort');
        })
        .catch(() => undefined);
    });
    await app.http.get('/whoami').set('Cookie', cookie).expect(200);
    expect(await versionOf(member.id)).toBe(0);
    expect((await members().findOneByOrFail({ id: member.id })).roles).toEqual(['editor']);
  });

  it('ignores a change of an unwatched column', async () => {
    const { member, cookie } = await memberWithSession();
    await members().save({ ...member, nickname: 'renamed' });
    await members().update({ id: member.id }, { nickname: 'again' });
    await app.http.get('/whoami').set('Cookie', cookie).expect(200);
    expect(await versionOf(member.id)).toBe(0);
  });

  it('detects a save() outside an explicit transaction before it returns', async () => {
    const { member, cookie } = await memberWithSession();
    await members().save({ ...member, roles: ['admin'] });
    await app.http.get('/whoami').set('Cookie', cookie).expect(401);
  });

  it('refuses a watched update it cannot attribute to a user (QueryBuilder update)', async () => {
    const { member, cookie } = await memberWithSession();
    await expect(members().update({ id: member.id }, { roles: ['admin'] })).rejects.toThrow(
      /cannot tell whose permissions changed/,
    );
    expect((await members().findOneByOrFail({ id: member.id })).roles).toEqual(['editor']);
    await app.http.get('/whoami').set('Cookie', cookie).expect(200);
  });

  it('watches every insert and removal of a join entity, and refuses a bulk delete it cannot attribute', async () => {
    const roles = dataSource.getRepository(MemberRole);
    const first = await memberWithSession();
    const assignment = await roles.save({ memberId: first.member.id, role: 'reviewer' });
    await app.http.get('/whoami').set('Cookie', first.cookie).expect(401);
    expect(await versionOf(first.member.id)).toBe(1);

    const second = await memberWithSession();
    await roles.save({ memberId: second.member.id, role: 'reviewer' });
    expect(await versionOf(second.member.id)).toBe(1);
    await roles.remove(await roles.findOneByOrFail({ memberId: second.member.id }));
    expect(await versionOf(second.member.id)).toBe(2);
    await expect(roles.delete({ memberId: first.member.id })).rejects.toThrow(
      /cannot tell whose permissions changed/,
    );
    expect(await roles.findOneBy({ ...assignment })).not.toBeNull();
  });

  it('changes both users when a row moves from one user to another', async () => {
    const grants = dataSource.getRepository(MemberGrant);
    const giver = await memberWithSession();
    const taker = await memberWithSession();
    const grant = await grants.save({ id: giver.member.id, memberId: giver.member.id });
    expect(await versionOf(giver.member.id)).toBe(1);
    await grants.save({ ...grant, memberId: taker.member.id });
    expect(await versionOf(giver.member.id)).toBe(2);
    expect(await versionOf(taker.member.id)).toBe(1);
    for (const { cookie } of [giver, taker]) {
      const denied = await app.http.get('/whoami').set('Cookie', cookie).expect(401);
      expect(denied.body).toMatchObject({ reason: 'permissions_changed' });
    }
  });

  it.each([
    [
      { watch: [{ entity: Member, columns: ['rolez'], userId: (m: Member) => m.id }] },
      "watch[0].columns[0]: 'rolez' is not a property of Member",
    ],
    [
      { watch: [{ entity: class Stranger {}, userId: () => 1 }] },
      'watch[0].entity: Stranger is not an entity',
    ],
    [{ watch: [{ entity: Member }] }, 'watch[0].userId: must be a function'],
    [
      { watch: [{ entity: Member, on: ['upsert'], userId: () => 1 }] },
      "watch[0].on[0]: must be 'insert', 'update' or 'remove'",
    ],
    [{ batchSize: 0 }, 'permissionChanges.batchSize'],
  ])('stops startup naming a bad option (case %#)', async (permissionChanges, message) => {
    const started = startPermissionApp(dataSource, prefix, {
      permissionChanges: permissionChanges as never,
    });
    await expect(started).rejects.toBeInstanceOf(SessionSecurityOptionsError);
    await expect(started).rejects.toThrow(message);
  });
});
