import type { EntityManager } from 'typeorm';

/** One permission change as {@link RevocationService.permissionsChanged} records it. */
export interface PermissionChangeRecord {
  userId: string;
  authzVersion: number;
  reason: string;
  actor: string | null;
  changedAt: number;
}

/**
 * Where a permission change's bookkeeping is recorded, in the transaction that raises the
 * user's permission version (so a change is never raised without its record, nor recorded
 * without its raise). The permission-changes feature implements it; revocation only calls it,
 * so the two folders depend one way.
 *
 * @example
 * { provide: PermissionChangeLog, useClass: PermissionChangeRecorder }
 */
export interface PermissionChangeLog {
  /** Writes the change with `manager` (the raising transaction's). */
  record(manager: EntityManager, change: PermissionChangeRecord): Promise<void>;
}

/** Injection token of the {@link PermissionChangeLog} port. */
export const PermissionChangeLog = Symbol('PermissionChangeLog');
