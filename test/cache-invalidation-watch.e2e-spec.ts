import { DataSource } from 'typeorm';
import { sessionSecurityEntities, sessionSecurityMigrations } from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';
import {
  CacheInvalidationWatch,
  OUTBOX_PRUNE_EVERY_MS,
  WatchTiming,
} from '../src/session/cache-invalidation-watch.js';
import { CacheOutboxEntity } from '../src/session/cache-outbox.entity.js';
import { MemorySessionCache } from '../src/session/memory-session-cache.js';
import { TEST_DATABASE_URL, createSchema } from './support/database.js';

/** The memory cache, made to fail like an unreachable Redis when asked. */
class FlakyCache extends MemorySessionCache {
  down = false;
  applied: string[] = [];

  override async tombstone(hashes: string[], ttlMs: number): Promise<void> {
    if (this.down) throw new Error('redis: Command timed out');
    this.applied.push(...hashes);
    await super.tombstone(hashes, ttlMs);
  }
}

describe('the cache invalidation watch on PostgreSQL', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let time: number;
  const timing: WatchTiming = { now: () => time, freshnessMs: 1_000, checkEveryMs: 200 };
  const row = (id: string) => ({ id, createdAt: Date.now() });
  const tombstone = (hash: string) => ({ hashes: [hash], ttlMs: 60_000 });

  beforeAll(async () => {
    schema = await createSchema('watch');
    dataSource = new DataSource({
      type: 'postgres',
      url: TEST_DATABASE_URL,
      schema: schema.name,
      entities: sessionSecurityEntities,
      migrations: sessionSecurityMigrations,
    });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await schema?.drop();
  });
  beforeEach(() => (time = 10_000));

  it('trusts the cache only for the bound after a complete check that started in it', async () => {
    const watch = new CacheInvalidationWatch(dataSource, new FlakyCache(new ManualClock()), timing);
    expect(watch.fresh()).toBe(false);
    await watch.check();
    expect(watch.fresh()).toBe(true);
    time += 999;
    expect(watch.fresh()).toBe(true);
    time += 1;
    expect(watch.fresh()).toBe(false);
  });

  it('deletes the rows past their retention, at most once a minute, and keeps the others', async () => {
    const wall = { now: Date.now() };
    const day = 86_400_000;
    const watch = new CacheInvalidationWatch(
      dataSource,
      new FlakyCache(new ManualClock()),
      timing,
      {
        olderThanMs: day,
        wallNow: () => wall.now,
      },
    );
    const outbox = dataSource.getRepository(CacheOutboxEntity);
    const old = { id: '00000000-0000-4000-8000-0000000000a1', createdAt: wall.now - day - 1 };
    const recent = { id: '00000000-0000-4000-8000-0000000000a2', createdAt: wall.now - day + 1 };
    await watch.record('tombstone', tombstone('old'), old);
    await watch.record('tombstone', tombstone('recent'), recent);
    await watch.check();
    const kept = (await outbox.find()).map((r) => r.id);
    expect(kept).not.toContain(old.id);
    expect(kept).toContain(recent.id);

    wall.now += 2;
    time += OUTBOX_PRUNE_EVERY_MS - 1;
    await watch.check();
    expect((await outbox.find()).map((r) => r.id)).toContain(recent.id);
    time += 1;
    await watch.check();
    expect((await outbox.find()).map((r) => r.id)).not.toContain(recent.id);
  });

  it('applies rows recorded by another instance, in sequence order and once each', async () => {
    const cache = new FlakyCache(new ManualClock());
    const reader = new CacheInvalidationWatch(dataSource, cache, timing);
    const writer = new CacheInvalidationWatch(
      dataSource,
      new FlakyCache(new ManualClock()),
      timing,
    );
    await reader.check();
    const before = cache.applied.length;
    await writer.record('tombstone', tombstone('h1'), row('00000000-0000-4000-8000-000000000001'));
    await writer.record('tombstone', tombstone('h2'), row('00000000-0000-4000-8000-000000000002'));
    await reader.check();
    await reader.check();
    expect(cache.applied.slice(before)).toEqual(['h1', 'h2']);
    expect((await cache.lookup('h2')).kind).toBe('tombstone');
  });

  it('stops trusting the cache while a row cannot be applied, and applies it once it can', async () => {
    const cache = new FlakyCache(new ManualClock());
    const watch = new CacheInvalidationWatch(dataSource, cache, timing);
    await watch.check();
    const writer = new CacheInvalidationWatch(
      dataSource,
      new FlakyCache(new ManualClock()),
      timing,
    );
    await writer.record('tombstone', tombstone('h3'), row('00000000-0000-4000-8000-000000000003'));
    cache.down = true;
    time += 500;
    await watch.check();
    time += 500;
    expect(watch.fresh()).toBe(false);
    cache.down = false;
    await watch.check();
    expect(watch.fresh()).toBe(true);
    expect((await cache.lookup('h3')).kind).toBe('tombstone');
  });

  it('a new instance applies every recorded row at startup before trusting the cache', async () => {
    const writer = new CacheInvalidationWatch(
      dataSource,
      new FlakyCache(new ManualClock()),
      timing,
    );
    await writer.record('epochs', { entries: { 'authz:9': 4 } }, row(crypto.randomUUID()));
    const cache = new FlakyCache(new ManualClock());
    const fresh = new CacheInvalidationWatch(dataSource, cache, timing);
    await fresh.start();
    fresh.stop();
    expect(fresh.fresh()).toBe(true);
    expect(cache.applied).toEqual(expect.arrayContaining(['h1', 'h2', 'h3']));
    await cache.fill('t', { userId: '9', tenantId: null, roles: [] } as never, 60_000);
    await cache.raiseEpochs({}, true);
    const hit = await cache.lookup('t');
    expect(hit.kind === 'hit' && hit.epochs?.authzVersion).toBe(4);
  });

  it('misses no row while many instances record at once (rows commit in sequence order)', async () => {
    const cache = new FlakyCache(new ManualClock());
    const reader = new CacheInvalidationWatch(dataSource, cache, timing);
    await reader.check();
    const before = cache.applied.length;
    const hashes = Array.from({ length: 40 }, (_, i) => `c${i}`);
    let writing = true;
    const reading = (async () => {
      while (writing) await reader.check();
    })();
    await Promise.all(
      hashes.map((hash) =>
        new CacheInvalidationWatch(dataSource, new FlakyCache(new ManualClock()), timing).record(
          'tombstone',
          tombstone(hash),
          row(crypto.randomUUID()),
        ),
      ),
    );
    writing = false;
    await reading;
    await reader.check();
    expect([...cache.applied.slice(before)].sort()).toEqual([...hashes].sort());
  });

  it('makes a writer wait out the whole bound before its call may return', async () => {
    const real: WatchTiming = { now: () => performance.now(), freshnessMs: 120, checkEveryMs: 50 };
    const watch = new CacheInvalidationWatch(dataSource, new FlakyCache(new ManualClock()), real);
    const started = performance.now();
    await watch.outlast();
    expect(performance.now() - started).toBeGreaterThanOrEqual(120);
  });
});
