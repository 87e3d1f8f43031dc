import type { Clock } from '../common/clock.js';
import type { ActiveSession } from './session.types.js';
import { CacheLookup, SessionCache, epochFields, toEpochs } from './session-cache.interface.js';

/**
 * {@link SessionCache} in process memory, for the single-instance mode without Redis. It has the
 * same semantics as the Redis cache but is invisible to other instances.
 */
export class MemorySessionCache implements SessionCache {
  private readonly live = new Map<string, { session: ActiveSession; expiresAt: number }>();
  private readonly dead = new Map<string, number>();
  private readonly epochs = new Map<string, number>();
  private initialised = false;

  constructor(private readonly clock: Clock) {}

  async lookup(tokenHash: string): Promise<CacheLookup> {
    const now = this.clock.now();
    const deadUntil = this.dead.get(tokenHash);
    if (deadUntil !== undefined && deadUntil > now) return { kind: 'tombstone' };
    const entry = this.live.get(tokenHash);
    if (!entry || entry.expiresAt <= now) return { kind: 'miss' };
    if (!this.initialised) return { kind: 'hit', session: entry.session, epochs: null };
    const fields = epochFields(entry.session);
    return {
      kind: 'hit',
      session: entry.session,
      epochs: toEpochs(
        fields.revocation.map((field) => this.epochs.get(field) ?? null),
        this.epochs.get(fields.authz) ?? null,
      ),
    };
  }

  async fill(tokenHash: string, session: ActiveSession, ttlMs: number): Promise<void> {
    if (this.isDead(tokenHash) || this.live.has(tokenHash)) return;
    this.live.set(tokenHash, { session, expiresAt: this.clock.now() + ttlMs });
  }

  async update(tokenHash: string, session: ActiveSession, ttlMs: number): Promise<void> {
    if (this.isDead(tokenHash) || !this.live.has(tokenHash)) return;
    this.live.set(tokenHash, { session, expiresAt: this.clock.now() + ttlMs });
  }

  async tombstone(tokenHashes: string[], ttlMs: number): Promise<void> {
    const until = this.clock.now() + ttlMs;
    for (const hash of tokenHashes) {
      this.live.delete(hash);
      this.dead.set(hash, until);
    }
    this.sweep();
  }

  async raiseEpochs(entries: Record<string, number>, markInitialised = false): Promise<void> {
    for (const [field, value] of Object.entries(entries)) {
      if (value > (this.epochs.get(field) ?? 0)) this.epochs.set(field, value);
    }
    if (markInitialised) this.initialised = true;
  }

  async epochsInitialised(): Promise<boolean> {
    return this.initialised;
  }

  async ping(): Promise<void> {}

  private isDead(tokenHash: string): boolean {
    return (this.dead.get(tokenHash) ?? 0) > this.clock.now();
  }

  private sweep(): void {
    if (this.dead.size + this.live.size < 10_000) return;
    const now = this.clock.now();
    for (const [hash, until] of this.dead) if (until <= now) this.dead.delete(hash);
    for (const [hash, entry] of this.live) if (entry.expiresAt <= now) this.live.delete(hash);
  }
}
