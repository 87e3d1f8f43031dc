import type { DataSource, EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { serialTransaction } from '../common/serial-transaction.js';
import { AUDIT_HEAD_ID, AuditChainHead } from './audit-chain-head.entity.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';
import type { ResolvedAuditConfig } from './audit-config.js';
import type { AuditEventDraft } from './audit-event-draft.js';
import { AuditEvent } from './audit-event.entity.js';
import { GENESIS_HASH, signAuditEvent } from './audit-hmac.js';

const SQLITE_FAMILY = new Set([
  'sqlite',
  'better-sqlite3',
  'sqljs',
  'capacitor',
  'cordova',
  'expo',
  'nativescript',
  'react-native',
]);

class SerialQueue {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.last.then(work, work);
    this.last = result.catch(() => undefined);
    return result;
  }

  settled(): Promise<void> {
    return this.last.then(() => undefined);
  }
}

const queues = new WeakMap<DataSource, SerialQueue>();

function queueFor(dataSource: DataSource): SerialQueue {
  let queue = queues.get(dataSource);
  if (!queue) queues.set(dataSource, (queue = new SerialQueue()));
  return queue;
}

/**
 * Runs `work` as the chain's only writer: one at a time within this process (per DataSource),
 * inside a transaction that holds the head row locked against every other process
 * (`SELECT ... FOR UPDATE`; on SQLite, whose TypeORM driver shares one connection, the in-process
 * queue is the lock). Creates the head row on first use.
 *
 * @example
 * await withChainLock(dataSource, async (manager, head) => head.seq);
 */
export function withChainLock<T>(
  dataSource: DataSource,
  work: (manager: EntityManager, head: AuditChainHead) => Promise<T>,
): Promise<T> {
  return queueFor(dataSource).run(() =>
    serialTransaction(dataSource, async (manager) => {
      let head = await selectHeadForUpdate(manager);
      if (!head) {
        await seedHead(manager);
        head = await selectHeadForUpdate(manager);
      }
      return work(manager, head!);
    }),
  );
}

/**
 * Resolves once every chain write queued in this process so far has finished (for shutdown).
 *
 * @example
 * async onApplicationShutdown() { await chainWritesSettled(this.dataSource); }
 */
export function chainWritesSettled(dataSource: DataSource): Promise<void> {
  return queues.get(dataSource)?.settled() ?? Promise.resolve();
}

/**
 * Appends one event: takes the next `seq` after the head, links it to the head's hash, signs it
 * with the current key, inserts it and moves the head, all in one short transaction.
 *
 * @example
 * const stored = await appendAuditEvent(dataSource, config, draft, clock.now());
 */
export function appendAuditEvent(
  dataSource: DataSource,
  config: ResolvedAuditConfig,
  draft: AuditEventDraft,
  now: number,
): Promise<AuditEvent> {
  return withChainLock(dataSource, async (manager, head) => {
    const keyId = config.currentKeyId;
    const fields = { ...draft, seq: head.seq + 1, keyId };
    const event = Object.assign(new AuditEvent(), fields, {
      prevHash: head.hash,
      hash: signAuditEvent(config.keys.get(keyId)!, fields, head.hash),
    });
    await manager.insert(AuditEvent, event as QueryDeepPartialEntity<AuditEvent>);
    await manager.update(
      AuditChainHead,
      { id: AUDIT_HEAD_ID },
      { seq: event.seq, hash: event.hash, updatedAt: now },
    );
    return event;
  });
}

function selectHeadForUpdate(manager: EntityManager): Promise<AuditChainHead | null> {
  const query = manager
    .getRepository(AuditChainHead)
    .createQueryBuilder('head')
    .where('head.id = :id', { id: AUDIT_HEAD_ID });
  if (!SQLITE_FAMILY.has(manager.connection.options.type)) query.setLock('pessimistic_write');
  return query.getOne();
}

async function seedHead(manager: EntityManager): Promise<void> {
  const [last] = await manager.find(AuditEvent, { order: { seq: 'DESC' }, take: 1 });
  const [checkpoint] = last
    ? []
    : await manager.find(AuditCheckpoint, { order: { seq: 'DESC' }, take: 1 });
  const tip = last ?? checkpoint ?? { seq: 0, hash: GENESIS_HASH };
  await manager
    .createQueryBuilder()
    .insert()
    .into(AuditChainHead)
    .values({ id: AUDIT_HEAD_ID, seq: tip.seq, hash: tip.hash, updatedAt: 0 })
    .orIgnore()
    .execute();
}
