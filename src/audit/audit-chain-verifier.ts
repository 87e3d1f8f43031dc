import type { DataSource, EntityManager } from 'typeorm';
import { AUDIT_HEAD_ID, AuditChainHead } from './audit-chain-head.entity.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';
import type { ResolvedAuditConfig } from './audit-config.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditVerifyResult } from './audit-event.types.js';
import { GENESIS_HASH, sameDigest, signAuditCheckpoint, signAuditEvent } from './audit-hmac.js';

type Keys = ResolvedAuditConfig['keys'];
type Reader = DataSource | EntityManager;

/**
 * Checks one stored event against the link the chain expects at this point. Returns why the
 * link is broken, or `null` when it holds.
 *
 * @example
 * checkAuditLink(row, 1, GENESIS_HASH, config.keys); // null for an untouched first event
 */
export function checkAuditLink(
  event: AuditEvent,
  expectedSeq: number,
  prevHash: string,
  keys: Keys,
): string | null {
  if (event.seq !== expectedSeq) {
    return `event ${expectedSeq} is missing (the next stored event is ${event.seq})`;
  }
  const key = keys.get(event.keyId);
  if (!key) return `event ${expectedSeq} is signed with unknown key id '${event.keyId}'`;
  let expected: string;
  try {
    expected = signAuditEvent(key, event, event.prevHash);
  } catch (error) {
    return `event ${expectedSeq} holds values that were never written by the service (${(error as Error).message})`;
  }
  if (!sameDigest(event.hash, expected)) return `event ${expectedSeq} was altered (hash mismatch)`;
  if (!sameDigest(event.prevHash, prevHash)) {
    return `event ${expectedSeq} does not follow event ${expectedSeq - 1} (prevHash mismatch)`;
  }
  return null;
}

/**
 * Why a checkpoint is not genuine, or `null` when its MAC holds.
 *
 * @example
 * checkAuditCheckpoint(checkpoint, config.keys); // null
 */
export function checkAuditCheckpoint(checkpoint: AuditCheckpoint, keys: Keys): string | null {
  const key = keys.get(checkpoint.keyId);
  if (!key)
    return `checkpoint ${checkpoint.seq} is signed with unknown key id '${checkpoint.keyId}'`;
  try {
    if (sameDigest(checkpoint.mac, signAuditCheckpoint(key, checkpoint))) return null;
  } catch {
    // An unsignable row is a forged row.
  }
  return `checkpoint ${checkpoint.seq} was altered or forged (MAC mismatch)`;
}

/**
 * The newest retention checkpoint, where the stored chain starts.
 *
 * @example
 * const start = (await latestAuditCheckpoint(dataSource))?.seq ?? 0;
 */
export async function latestAuditCheckpoint(reader: Reader): Promise<AuditCheckpoint | null> {
  const [latest] = await reader.getRepository(AuditCheckpoint).find({
    order: { seq: 'DESC' },
    take: 1,
  });
  return latest ?? null;
}

/**
 * Reads up to `limit` events with `after < seq <= upTo`, in sequence order.
 *
 * @example
 * const batch = await readAuditBatch(dataSource, 0, Number.MAX_SAFE_INTEGER, 500);
 */
export function readAuditBatch(
  reader: Reader,
  after: number,
  upTo: number,
  limit: number,
): Promise<AuditEvent[]> {
  return reader
    .getRepository(AuditEvent)
    .createQueryBuilder('e')
    .where('e.seq > :after AND e.seq <= :upTo', { after, upTo })
    .orderBy('e.seq', 'ASC')
    .limit(limit)
    .getMany();
}

/**
 * Walks the whole stored chain in `batchSize` pages and reports the first broken link. The walk
 * starts at the newest checkpoint (or the genesis) and ends at the head row read up front, so
 * events appended meanwhile are left for the next run; if retention moves the checkpoint during
 * the walk, the walk restarts.
 *
 * @example
 * const result = await verifyAuditChain(dataSource, config, 500);
 */
export async function verifyAuditChain(
  dataSource: DataSource,
  config: ResolvedAuditConfig,
  batchSize: number,
): Promise<AuditVerifyResult> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError('batchSize: must be a positive integer');
  }
  for (let attempt = 0; ; attempt++) {
    const checkpoint = await latestAuditCheckpoint(dataSource);
    const result = await walk(dataSource, config.keys, checkpoint, batchSize);
    if (result.ok || attempt === 2) return result;
    const now = await latestAuditCheckpoint(dataSource);
    if (now?.seq === checkpoint?.seq) return result;
  }
}

async function walk(
  dataSource: DataSource,
  keys: Keys,
  checkpoint: AuditCheckpoint | null,
  batchSize: number,
): Promise<AuditVerifyResult> {
  const head = await dataSource.getRepository(AuditChainHead).findOneBy({ id: AUDIT_HEAD_ID });
  let checked = 0;
  if (checkpoint) {
    const reason = checkAuditCheckpoint(checkpoint, keys);
    if (reason) return { ok: false, brokenAt: checkpoint.seq + 1, reason, checked };
  }
  let lastSeq = checkpoint?.seq ?? 0;
  let prevHash = checkpoint?.hash ?? GENESIS_HASH;
  const upTo = head?.seq ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const batch = await readAuditBatch(dataSource, lastSeq, upTo, batchSize);
    for (const event of batch) {
      const reason = checkAuditLink(event, lastSeq + 1, prevHash, keys);
      if (reason) return { ok: false, brokenAt: lastSeq + 1, reason, checked };
      lastSeq = event.seq;
      prevHash = event.hash;
      checked++;
    }
    if (batch.length < batchSize) break;
  }
  const reason = checkTail(head, lastSeq, prevHash);
  return reason ? { ok: false, brokenAt: lastSeq + 1, reason, checked } : { ok: true, checked };
}

function checkTail(head: AuditChainHead | null, lastSeq: number, lastHash: string): string | null {
  if (!head) return lastSeq === 0 ? null : 'the chain head row is missing';
  if (lastSeq < head.seq) {
    return `event ${lastSeq + 1} is missing: the chain ends at ${lastSeq} but the head records ${head.seq}`;
  }
  if (lastSeq > head.seq) return `the head (${head.seq}) is behind the checkpoint (${lastSeq})`;
  if (!sameDigest(head.hash, lastHash)) return `the head hash does not match event ${lastSeq}`;
  return null;
}
