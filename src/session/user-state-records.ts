import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { serialTransaction } from '../common/serial-transaction.js';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import { RevocationMarkerEntity, type RevocationScope } from './revocation-marker.entity.js';
import { SessionUserStateEntity } from './session-user-state.entity.js';

/** A revocation marker to record: every session of the scope issued up to `notBefore` ends. */
export interface MarkerRecord {
  scope: RevocationScope;
  value: string;
  notBefore: number;
  reason: string;
  actor: string | null;
}

/**
 * The per-user and per-scope state sessions are judged against, in the database: permission
 * versions, account disables (`ss_session_user_state`) and revocation markers. The services
 * change it only through here.
 *
 * @example
 * const version = await states.raisePermissionVersion('42', clock.now(), async () => {});
 */
@Injectable()
export class UserStateRecords {
  constructor(@Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  private get states() {
    return this.dataSource.getRepository(SessionUserStateEntity);
  }

  /** The user's state row (permission version, disable marker), if any. */
  userState(userId: string): Promise<SessionUserStateEntity | null> {
    return this.states.findOneBy({ userId });
  }

  /** Applies `changes` to the user's state row, creating it (version 0) when there is none. */
  async upsertUserState(
    userId: string,
    changes: Partial<SessionUserStateEntity>,
    now: number,
  ): Promise<void> {
    const updated = await this.states.update({ userId }, changes);
    if (!updated.affected) {
      await this.states.insert({
        userId,
        authzVersion: 0,
        notBefore: null,
        disabledAt: null,
        updatedAt: now,
        ...changes,
      });
    }
  }

  /**
   * One transaction: the user's permission version raised by one (row created if new), then
   * `alsoRecord` with the same transaction's manager and the new version, so what it writes
   * (the change's bookkeeping row) commits or rolls back with the raise. Returns the version.
   */
  raisePermissionVersion(
    userId: string,
    now: number,
    alsoRecord: (manager: EntityManager, authzVersion: number) => Promise<void>,
  ): Promise<number> {
    return serialTransaction(this.dataSource, async (manager) => {
      const states = manager.getRepository(SessionUserStateEntity);
      await ensureUserState(manager, userId, now);
      await states
        .createQueryBuilder()
        .update()
        .set({ authzVersion: () => '"authzVersion" + 1', notBefore: now, updatedAt: now })
        .where('"userId" = :userId', { userId })
        .execute();
      const { authzVersion } = await states.findOneByOrFail({ userId });
      await alsoRecord(manager, authzVersion);
      return authzVersion;
    });
  }

  /**
   * Records a marker unless one of the same scope already reaches as far; never moves it back.
   * Concurrent raises of one marker (a retried bulk revocation and its first run) both succeed:
   * the insert yields to an existing row, and the update only ever moves `notBefore` forward.
   */
  async raiseMarker(marker: MarkerRecord): Promise<void> {
    const markers = this.dataSource.getRepository(RevocationMarkerEntity);
    const row = { ...marker, reason: marker.reason.slice(0, 256) };
    await markers.createQueryBuilder().insert().values(row).orIgnore().execute();
    await markers
      .createQueryBuilder()
      .update()
      .set({ notBefore: row.notBefore, reason: row.reason, actor: row.actor })
      .where('"scope" = :scope AND "value" = :value AND "notBefore" < :notBefore', {
        scope: row.scope,
        value: row.value,
        notBefore: row.notBefore,
      })
      .execute();
  }
}

/**
 * Creates the user's state row (version 0, no marker) inside `manager`'s transaction unless it
 * exists, so the statement that follows can update or lock it.
 *
 * @example await ensureUserState(manager, userId, clock.now());
 */
export async function ensureUserState(
  manager: EntityManager,
  userId: string,
  now: number,
): Promise<void> {
  await manager
    .getRepository(SessionUserStateEntity)
    .createQueryBuilder()
    .insert()
    .values({ userId, authzVersion: 0, notBefore: null, disabledAt: null, updatedAt: now })
    .orIgnore()
    .execute();
}
