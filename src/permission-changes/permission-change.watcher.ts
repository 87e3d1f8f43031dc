import type {
  EntitySubscriberInterface,
  InsertEvent,
  QueryRunner,
  RemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  UpdateEvent,
} from 'typeorm';
import type { EntityMetadata, ObjectLiteral } from 'typeorm';
import {
  userIdOf,
  type PermissionWatchEvent,
  type ResolvedPermissionWatch,
} from './permission-watch.js';

/** A change seen inside a transaction, waiting for its commit. */
interface PendingChange {
  userId: string;
  reason: string;
  /** Transaction depth it was written at (savepoints nest). */
  depth: number;
}

/** Thrown before a write the watcher cannot attribute to a user (it would go unnoticed). */
export class UnattributablePermissionChangeError extends Error {
  constructor(entity: string, event: PermissionWatchEvent) {
    super(
      `${entity}: a watched ${event} without row data (QueryBuilder / repository.${event === 'remove' ? 'delete' : event}()) ` +
        `cannot tell whose permissions changed — use save()/remove() on the entity, or call ` +
        `permissionsChanged() yourself and leave ${entity} out of permissionChanges.watch`,
    );
    this.name = 'UnattributablePermissionChangeError';
  }
}

/**
 * The opt-in automatic detection of `permissionChanges.watch`: a TypeORM entity subscriber that
 * notes each watched write, and calls `changed(userId, reason)` only once the transaction it
 * belongs to has committed — never for a rolled-back write, nor for one inside a savepoint that
 * was rolled back. A write outside any transaction is committed when TypeORM reports it, so it is
 * passed on at once. Calls are awaited, so `save()` returns after the change took effect.
 *
 * @example
 * dataSource.subscribers.push(new PermissionChangeWatcher(watch, (id, reason) => revocations.permissionsChanged(id, { reason })));
 */
export class PermissionChangeWatcher implements EntitySubscriberInterface {
  private readonly pending = new WeakMap<QueryRunner, PendingChange[]>();

  constructor(
    private readonly watch: ResolvedPermissionWatch[],
    private readonly changed: (userId: string, reason: string) => Promise<unknown>,
  ) {}

  beforeUpdate(event: UpdateEvent<ObjectLiteral>): void {
    this.refuseAnonymous(event.metadata, 'update', event.databaseEntity ?? event.entity, event);
  }

  beforeRemove(event: RemoveEvent<ObjectLiteral>): void {
    this.refuseAnonymous(event.metadata, 'remove', event.databaseEntity ?? event.entity, event);
  }

  afterInsert(event: InsertEvent<ObjectLiteral>): Promise<void> {
    return this.note(event.metadata, 'insert', [event.entity], event.queryRunner, null);
  }

  /** Both the row as it was and as it is now: moving a row to another user changes both users. */
  afterUpdate(event: UpdateEvent<ObjectLiteral>): Promise<void> {
    const properties = event.updatedColumns.map((c) => c.propertyPath);
    const row = event.entity ? { ...event.databaseEntity, ...event.entity } : event.databaseEntity;
    const rows = [row, event.databaseEntity];
    return this.note(event.metadata, 'update', rows, event.queryRunner, properties);
  }

  afterRemove(event: RemoveEvent<ObjectLiteral>): Promise<void> {
    const row = event.databaseEntity ?? event.entity;
    return this.note(event.metadata, 'remove', [row], event.queryRunner, null);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const runner = event.queryRunner;
    const list = this.pending.get(runner);
    if (!list) return;
    if (runner.isTransactionActive) {
      const depth = depthOf(runner);
      for (const item of list) item.depth = Math.min(item.depth, depth);
      return;
    }
    this.pending.delete(runner);
    await this.flush(list);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const runner = event.queryRunner;
    const list = this.pending.get(runner);
    if (!list) return;
    if (!runner.isTransactionActive) return void this.pending.delete(runner);
    const depth = depthOf(runner);
    this.pending.set(
      runner,
      list.filter((item) => item.depth <= depth),
    );
  }

  private async note(
    metadata: EntityMetadata,
    event: PermissionWatchEvent,
    rows: Array<ObjectLiteral | undefined>,
    runner: QueryRunner,
    properties: string[] | null,
  ): Promise<void> {
    const watch = this.matching(metadata, event, properties);
    if (watch.length === 0) return;
    const found: PendingChange[] = [];
    for (const w of watch) {
      for (const row of rows) {
        const userId = row ? userIdOf(w, row) : null;
        if (userId) found.push({ userId, reason: w.reason, depth: depthOf(runner) });
      }
    }
    if (found.length === 0) return;
    if (!runner.isTransactionActive) return this.flush(found);
    this.pending.set(runner, [...(this.pending.get(runner) ?? []), ...found]);
  }

  private matching(
    metadata: EntityMetadata,
    event: PermissionWatchEvent,
    properties: string[] | null,
  ): ResolvedPermissionWatch[] {
    return this.watch.filter(
      (w) =>
        w.on.has(event) &&
        (metadata.target === w.target ||
          (typeof metadata.target === 'function' &&
            typeof w.target === 'function' &&
            metadata.target.prototype instanceof w.target)) &&
        (event !== 'update' ||
          !w.columns ||
          properties === null ||
          properties.some((p) => w.columns!.has(p))),
    );
  }

  /** A QueryBuilder write carries no row: refuse it rather than miss a permission change. */
  private refuseAnonymous(
    metadata: EntityMetadata,
    event: PermissionWatchEvent,
    row: ObjectLiteral | undefined,
    raw: { entity?: ObjectLiteral },
  ): void {
    const watch = this.matching(metadata, event, null);
    if (watch.length === 0) return;
    const identified = !!row && watch.every((w) => userIdOf(w, { ...row }) !== null);
    if (identified) return;
    if (event === 'update' && raw.entity) {
      const touched = Object.keys(raw.entity);
      if (watch.every((w) => w.columns && !touched.some((p) => w.columns!.has(p)))) return;
    }
    throw new UnattributablePermissionChangeError(watch[0].name, event);
  }

  private async flush(list: PendingChange[]): Promise<void> {
    const seen = new Set<string>();
    for (const { userId, reason } of list) {
      if (seen.has(userId)) continue;
      seen.add(userId);
      await this.changed(userId, reason);
    }
  }
}

function depthOf(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth?: number }).transactionDepth ?? 0;
}
