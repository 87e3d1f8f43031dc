import type { EntityManager } from 'typeorm';
import { AuditAppendBatcher, type ChainLock } from './audit-append-batcher.js';
import type { AuditChainHead } from './audit-chain-head.entity.js';
import { resolveAuditConfig } from './audit-config.js';
import { draftAuditEvent } from './audit-event-draft.js';
import type { AuditEvent } from './audit-event.entity.js';
import { GENESIS_HASH } from './audit-hmac.js';

const config = resolveAuditConfig(undefined, 'unit-test-secret-of-at-least-32-characters');

/** A chain held in memory: work sees the head, and its writes count only if it does not throw. */
function memoryChain() {
  const chain = { head: { seq: 0, hash: GENESIS_HASH }, rows: [] as AuditEvent[], transactions: 0 };
  const lock: ChainLock = async (work) => {
    chain.transactions++;
    const staged = { rows: [] as AuditEvent[], head: chain.head };
    const manager = {
      insert: async (_entity: unknown, rows: AuditEvent[]) => {
        if (rows.some((row) => row.type === 'poison')) throw new Error('row refused');
        staged.rows.push(...rows);
      },
      update: async (_entity: unknown, _where: unknown, head: { seq: number; hash: string }) => {
        staged.head = head;
      },
    } as unknown as EntityManager;
    const result = await work(manager, { ...chain.head } as AuditChainHead);
    chain.rows.push(...staged.rows);
    chain.head = staged.head;
    return result;
  };
  return { chain, batcher: new AuditAppendBatcher(lock, config) };
}

const draft = (type: string, i: number) => draftAuditEvent({ type, details: { i } }, i, config);

describe('AuditAppendBatcher', () => {
  it('puts appends that arrive during a commit into one next transaction, in order and chained', async () => {
    const { chain, batcher } = memoryChain();
    const events = await Promise.all(
      Array.from({ length: 50 }, (_, i) => batcher.append(draft('logout', i), i)),
    );
    expect(chain.transactions).toBe(2);
    expect(events.map((e) => e.seq)).toEqual([...Array(50).keys()].map((i) => i + 1));
    expect(events.map((e) => e.details)).toEqual([...Array(50).keys()].map((i) => ({ i })));
    events.slice(1).forEach((event, i) => expect(event.prevHash).toBe(events[i].hash));
    expect(chain.head).toMatchObject({ seq: 50, hash: events[49].hash });
  });

  it('resolves an append only after its transaction has committed', async () => {
    const { chain, batcher } = memoryChain();
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        batcher.append(draft('logout', i), i).then((event) => {
          seen.push(chain.rows.filter((row) => row.seq === event.seq).length);
        }),
      ),
    );
    expect(seen).toEqual([1, 1, 1, 1, 1]);
  });

  it('refuses a bad event alone when a shared transaction fails, and stores the rest', async () => {
    const { chain, batcher } = memoryChain();
    const first = batcher.append(draft('logout', 0), 0);
    const burst = [1, 2, 3].map((i) => batcher.append(draft(i === 2 ? 'poison' : 'logout', i), i));
    await first;
    await expect(burst[1]).rejects.toThrow('row refused');
    const [one, , three] = await Promise.all([burst[0], burst[1].catch(() => null), burst[2]]);
    expect([one!.seq, three!.seq]).toEqual([2, 3]);
    expect(chain.rows.map((row) => row.details)).toEqual([{ i: 0 }, { i: 1 }, { i: 3 }]);
    expect(chain.head.seq).toBe(3);
  });

  it('settles once every append handed in has been committed', async () => {
    const { chain, batcher } = memoryChain();
    for (let i = 0; i < 3; i++) void batcher.append(draft('logout', i), i);
    await batcher.settled();
    expect(chain.rows).toHaveLength(3);
  });
});

describe('AuditAppendBatcher, one append after another', () => {
  it('commits an append made just as the previous drain ends (no append is left waiting)', async () => {
    const { chain, batcher } = memoryChain();
    for (let i = 0; i < 20; i++) await batcher.append(draft('logout', i), i);
    expect(chain.rows).toHaveLength(20);
    expect(chain.transactions).toBe(20);
  });
});
