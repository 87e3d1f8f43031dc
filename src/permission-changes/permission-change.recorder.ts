import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  PermissionChangeLog,
  PermissionChangeRecord,
} from '../revocation/permission-change-log.port.js';
import { PermissionChangeEntity } from './permission-change.entity.js';

/**
 * Records each permission change as a `pending` row, the job's durable to-do: the job moves it to
 * `done`, and a worker that starts queues every row still `pending` again.
 *
 * @example providers: [{ provide: PermissionChangeLog, useClass: PermissionChangeRecorder }]
 */
@Injectable()
export class PermissionChangeRecorder implements PermissionChangeLog {
  async record(manager: EntityManager, change: PermissionChangeRecord): Promise<void> {
    await manager.getRepository(PermissionChangeEntity).insert({
      userId: change.userId,
      authzVersion: change.authzVersion,
      reason: change.reason.slice(0, 256),
      actor: change.actor?.slice(0, 128) ?? null,
      changedAt: change.changedAt,
      state: 'pending',
      markedSessions: 0,
      finishedAt: null,
      error: null,
    });
  }
}
