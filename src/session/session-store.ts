import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Brackets, DataSource, LessThan, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { RESOLVED_OPTIONS, SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { processRole } from '../common/process-role.js';
import { CacheInvalidationWatch } from './cache-invalidation-watch.js';
import { CacheOutboxEntity } from './cache-outbox.entity.js';
import { RevocationMarkerEntity } from './revocation-marker.entity.js';
import { SessionCache, SessionEpochs } from './session-cache.interface.js';
import { SessionRecords } from './session-records.js';
import { SessionUserStateEntity } from './session-user-state.entity.js';
import type { SessionEntity } from './session.entity.js';
import { judgeSession } from './session-validity.js';
import { toActiveSession } from './session.mapper.js';
import type { ActiveSession } from './session.types.js';

/** A session as found for a token: its state and the epochs it must be checked against. */
export interface StoredSession {
  session: ActiveSession;
  revokedAt: number | null;
  epochs: SessionEpochs;
  fromCache: boolean;
}

const RETRY_AFTER_MS = 1_000;
/** How often an instance whose cache is down checks whether it may try Redis again (ms). */
const RECOVERY_TICK_MS = 250;

/**
 * Reads sessions from the shared cache and falls back to the database whenever the cache cannot
 * answer; writes go to the database first. Invalidations the cache misses are kept in an outbox
 * and replayed before the cache is trusted again (fail safe, never fail open). A shared cache is
 * trusted only while the {@link CacheInvalidationWatch} is fresh, so an invalidation another
 * instance could not write to Redis is never outlived by a stale snapshot here.
 */
@Injectable()
export class SessionStore implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SessionSecurity');
  private cacheDownSince: number | null = null;
  private nextProbeAt = 0;
  private recovering: Promise<boolean> | null = null;
  private rebuilding: Promise<void> | null = null;
  private readonly watch: CacheInvalidationWatch;
  /** A CLI or worker process beside a single-instance app: its cache is not the app's. */
  private readonly handsOff: boolean;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private retriesReported = false;

  constructor(
    @Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SessionCache) private readonly cache: SessionCache,
    private readonly records: SessionRecords,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {
    this.watch = new CacheInvalidationWatch(dataSource, cache, undefined, {
      olderThanMs: options.session.absoluteTimeoutMs,
      wallNow: () => clock.now(),
    });
    this.handsOff = !cache.shared && processRole() !== 'app';
  }

  /**
   * Applies the outbox to the cache before the first request, then keeps checking it: with Redis
   * for the invalidations other instances could not write there, in single-instance mode for
   * those a CLI process recorded for this one. A shared cache that does not answer at boot puts
   * the instance in fallback at once (sessions validated against the database, visible in
   * health); it is tried again in the background until it answers.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.watch.start();
    if (!this.cache.shared) return;
    await this.cache.ping().catch((error: unknown) => this.cacheFailed(error));
    this.recoveryTimer = setInterval(() => {
      if (this.cacheDownSince !== null) void this.cacheUsable();
    }, RECOVERY_TICK_MS);
    this.recoveryTimer.unref();
  }

  onModuleDestroy(): void {
    this.watch.stop();
    if (this.recoveryTimer) clearInterval(this.recoveryTimer);
    this.recoveryTimer = null;
  }

  /** `null` when the cache is healthy, otherwise since when it is not. */
  get cacheUnavailableSince(): number | null {
    return this.cacheDownSince;
  }

  /**
   * `null` while this instance trusts its shared cache's snapshots, otherwise since when it has
   * not (its last check of the database's invalidations is out of date, see
   * {@link CacheInvalidationWatch}); it then validates every session against the database.
   */
  get cacheDistrustedSince(): number | null {
    const ms = this.watch.distrustedForMs();
    return ms === null ? null : this.clock.now() - ms;
  }

  /** Whether the cache is shared by every instance (Redis) or this process's own. */
  get sharedCache(): boolean {
    return this.cache.shared === true;
  }

  /** Finds the session of a token hash: `'dead'` for an ended token, `null` for an unknown one. */
  async find(tokenHash: string): Promise<StoredSession | 'dead' | null> {
    if (this.watch.fresh() && (await this.cacheUsable())) {
      try {
        const cached = await this.cache.lookup(tokenHash);
        if (cached.kind === 'tombstone') return 'dead';
        if (cached.kind === 'hit') {
          const epochs = cached.epochs ?? (await this.epochsFromDatabase(cached.session));
          if (!cached.epochs) this.rebuildEpochs();
          return { session: cached.session, revokedAt: null, epochs, fromCache: true };
        }
      } catch (error) {
        this.cacheFailed(error);
      }
    }
    const row = await this.records.findByTokenHash(tokenHash);
    if (!row) return null;
    const session = toActiveSession(row);
    return {
      session,
      revokedAt: row.revokedAt,
      epochs: await this.epochsFromDatabase(session),
      fromCache: false,
    };
  }

  /** Caches a session that was just validated from the database. */
  async fill(tokenHash: string, session: ActiveSession): Promise<void> {
    await this.tryCache((cache) => cache.fill(tokenHash, session, this.ttl(session)));
  }

  /** Refreshes a cached session after its row changed. */
  async refresh(tokenHash: string, session: ActiveSession): Promise<void> {
    await this.tryCache((cache) => cache.update(tokenHash, session, this.ttl(session)));
  }

  /**
   * Makes tokens dead in the cache; when the cache is unreachable (or is this CLI process's own,
   * beside a single-instance app) the outbox remembers, and this returns once every instance
   * enforces it. `waitForEveryInstance: false` (expiry, bulk job batches) returns at once; every
   * instance then enforces it within the freshness bound.
   */
  async endTokens(tokenHashes: string[], { waitForEveryInstance = true } = {}): Promise<void> {
    if (tokenHashes.length === 0) return;
    const ttlMs = this.options.session.absoluteTimeoutMs;
    const ok = await this.tryCache((cache) => cache.tombstone(tokenHashes, ttlMs));
    if (!ok || this.handsOff) {
      await this.toOutbox('tombstone', { hashes: tokenHashes, ttlMs }, waitForEveryInstance);
    }
  }

  /** Raises epochs (revocation markers, permission versions) in the cache, or queues them. */
  async raiseEpochs(entries: Record<string, number>): Promise<void> {
    const ok = await this.tryCache((cache) => cache.raiseEpochs(entries));
    if (!ok || this.handsOff) await this.toOutbox('epochs', { entries });
  }

  /**
   * Epochs of a session read from the database: revocation markers and the user's version;
   * `db` is a transaction's manager to read within it.
   */
  async epochsFromDatabase(
    session: Pick<ActiveSession, 'userId' | 'tenantId' | 'roles'>,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<SessionEpochs> {
    const markers = db
      .getRepository(RevocationMarkerEntity)
      .createQueryBuilder('m')
      .select('MAX(m.notBefore)', 'notBefore')
      .where("m.scope = 'all'")
      .orWhere(
        new Brackets((q) =>
          q.where("m.scope = 'user'").andWhere('m.value = :u', { u: session.userId }),
        ),
      );
    if (session.tenantId) {
      markers.orWhere(
        new Brackets((q) =>
          q.where("m.scope = 'tenant'").andWhere('m.value = :t', { t: session.tenantId }),
        ),
      );
    }
    if (session.roles.length > 0) {
      markers.orWhere(
        new Brackets((q) =>
          q.where("m.scope = 'role'").andWhere('m.value IN (:...r)', { r: session.roles }),
        ),
      );
    }
    const [marker, state] = await Promise.all([
      markers.getRawOne<{ notBefore: string | number | null }>(),
      db.getRepository(SessionUserStateEntity).findOneBy({ userId: session.userId }),
    ]);
    return {
      revokedBefore: Number(marker?.notBefore ?? 0),
      authzVersion: state?.authzVersion ?? 0,
    };
  }

  /**
   * The rows whose sessions are valid at `now` — not past a timeout, not covered by a revocation
   * marker — reading the markers once per role set, with `db` (a transaction's manager) if given.
   */
  async liveRows(rows: SessionEntity[], now: number, db?: EntityManager): Promise<SessionEntity[]> {
    const epochsByScope = new Map<string, Promise<SessionEpochs>>();
    const live: SessionEntity[] = [];
    for (const row of rows) {
      const session = toActiveSession(row);
      const scope = JSON.stringify([session.tenantId, [...session.roles].sort()]);
      if (!epochsByScope.has(scope)) epochsByScope.set(scope, this.epochsFromDatabase(session, db));
      const epochs = await epochsByScope.get(scope)!;
      if (judgeSession(session, null, epochs, now).status === 'valid') live.push(row);
    }
    return live;
  }

  private ttl(session: ActiveSession): number {
    return Math.max(
      1,
      Math.min(session.idleExpiresAt, session.absoluteExpiresAt) - this.clock.now(),
    );
  }

  private async tryCache(work: (cache: SessionCache) => Promise<void>): Promise<boolean> {
    if (!(await this.cacheUsable())) return false;
    try {
      await work(this.cache);
      return true;
    } catch (error) {
      this.cacheFailed(error);
      return false;
    }
  }

  private async cacheUsable(): Promise<boolean> {
    if (this.cacheDownSince === null) return true;
    if (this.clock.now() < this.nextProbeAt) return false;
    this.recovering ??= this.recover().finally(() => (this.recovering = null));
    return this.recovering;
  }

  /** Replays every queued invalidation, then trusts the cache again. */
  private async recover(): Promise<boolean> {
    this.nextProbeAt = this.clock.now() + RETRY_AFTER_MS;
    try {
      await this.cache.ping();
      const outbox = this.dataSource.getRepository(CacheOutboxEntity);
      await outbox.delete({
        createdAt: LessThan(this.clock.now() - this.options.session.absoluteTimeoutMs),
      });
      for (const item of await outbox.find({ order: { createdAt: 'ASC' } })) {
        if (item.kind === 'tombstone')
          await this.cache.tombstone(item.payload.hashes ?? [], item.payload.ttlMs ?? 1);
        else await this.cache.raiseEpochs(item.payload.entries ?? {});
      }
      this.logger.log('session cache reachable again; queued invalidations replayed');
      this.cacheDownSince = null;
      this.retriesReported = false;
      return true;
    } catch (error) {
      // Retried in the background every second: said once per outage, not every time.
      if (!this.retriesReported)
        this.logger.warn(`session cache still unavailable, retrying: ${(error as Error).message}`);
      this.retriesReported = true;
      return false;
    }
  }

  private cacheFailed(error: unknown): void {
    if (this.cacheDownSince === null) {
      this.logger.error(
        `session cache unavailable, using the database: ${(error as Error).message ?? error}`,
      );
      this.cacheDownSince = this.clock.now();
    }
    this.nextProbeAt = this.clock.now() + RETRY_AFTER_MS;
  }

  /** Durable in the database and, once this returns, enforced by every instance. */
  private async toOutbox(
    kind: CacheOutboxEntity['kind'],
    payload: CacheOutboxEntity['payload'],
    waitForEveryInstance = true,
  ) {
    const row = { id: randomUUID(), createdAt: this.clock.now() };
    await this.watch.record(kind, payload, row);
    if (waitForEveryInstance) await this.watch.outlast();
  }

  /** Loads every marker and permission version into a cache that started empty. */
  rebuildEpochs(): Promise<void> {
    this.rebuilding ??= (async () => {
      const entries: Record<string, number> = {};
      const markers = await this.dataSource.getRepository(RevocationMarkerEntity).find();
      for (const m of markers) entries[`rev:${m.scope}:${m.value}`] = m.notBefore;
      const states = await this.dataSource.getRepository(SessionUserStateEntity).find();
      for (const s of states) if (s.authzVersion > 0) entries[`authz:${s.userId}`] = s.authzVersion;
      await this.cache.raiseEpochs(entries, true);
    })()
      .catch((error) => this.cacheFailed(error))
      .finally(() => (this.rebuilding = null));
    return this.rebuilding;
  }
}
