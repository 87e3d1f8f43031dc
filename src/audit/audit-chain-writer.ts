import type { DataSource, EntityManager } from 'typeorm';
import { AuditAppendBatcher } from './audit-append-batcher.js';
import { serialTransaction } from '../common/serial-transaction.js';
import { AUDIT_HEAD_ID, AuditChainHead } from './audit-chain-head.entity.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';
import type { ResolvedAuditConfig } from './audit-config.js';
import type { AuditEventDraft } from './audit-event-draft.js';
import { AuditEvent } from './audit-event.entity.js';
import { GENESIS_HASH } from './audit-hmac.js';

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
export async function chainWritesSettled(dataSource: DataSource): Promise<void> {
  for (const batcher of batchers.get(dataSource)?.values() ?? []) await batcher.settled();
  await queues.get(dataSource)?.settled();
}

const batchers = new WeakMap<DataSource, Map<ResolvedAuditConfig, AuditAppendBatcher>>();

/**
 * Appends one event: takes the next `seq` after the head, links it to the head's hash, signs it
 * with the current key, inserts it and moves the head. Appends that arrive while another is being
 * committed share the next transaction ({@link AuditAppendBatcher}); the promise resolves once
 * the event is committed.
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
  let byConfig = batchers.get(dataSource);
  if (!byConfig) batchers.set(dataSource, (byConfig = new Map()));
  let batcher = byConfig.get(config);
  if (!batcher)
    byConfig.set(
      config,
      (batcher = new AuditAppendBatcher((work) => withChainLock(dataSource, work), config)),
    );
  return batcher.append(draft, now);
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
