import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { SessionService } from '../session/session.service.js';
import type {
  LiveConnectionEnd,
  LiveConnectionHandle,
  LiveConnectionInit,
} from './live-connection.types.js';
import type { LiveSignal } from './live-signal.js';
import { LIVE_SHUTDOWN } from './live-connection.types.js';
import type { LiveSignalBus } from './live-signal-bus.js';

interface Entry extends LiveConnectionInit {
  ended: boolean;
}

const RECHECK_CONCURRENCY = 64;

/**
 * This instance's open long-lived connections (WebSocket, SSE), by session, user and token. When a
 * session ends anywhere, every instance re-checks the connections a signal names against the
 * session store (without extending the idle timeout) and ends those whose session is over; a
 * periodic sweep re-checks all of them, which catches expiry and signals lost while Redis was
 * away.
 *
 * @example
 * const handle = live.register({ ...session, tokenHash, kind: 'ws', end: (why) => ws.close(4401, why.code) });
 * ws.on('close', () => handle.release());
 */
@Injectable()
export class LiveConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionSecurity');
  private readonly entries = new Set<Entry>();
  private readonly bySession = new Map<string, Set<Entry>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly sessions: SessionService,
    private readonly bus: LiveSignalBus,
    private readonly sweepIntervalMs: number,
  ) {
    bus.onSignal((signal) => void (signal === 'reconnected' ? this.sweep() : this.recheck(signal)));
    this.sweepTimer = setInterval(() => void this.sweep(), sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Number of open connections this instance tracks. */
  get size(): number {
    return this.entries.size;
  }

  /** Tracks a connection until it is released or ended. */
  register(init: LiveConnectionInit): LiveConnectionHandle {
    const entry: Entry = { ...init, ended: false };
    this.entries.add(entry);
    let group = this.bySession.get(entry.sessionId);
    if (!group) this.bySession.set(entry.sessionId, (group = new Set()));
    group.add(entry);
    return { release: () => this.forget(entry) };
  }

  /**
   * Re-checks the connections a signal names here and tells every other instance to do the same.
   * Resolves once the signal is sent and, unless it names every connection, once this instance's
   * connections are judged.
   */
  async signal(signal: LiveSignal): Promise<void> {
    if (this.closed) return;
    const local = this.recheck(signal);
    await this.bus.publish(signal);
    if (signal.scope !== 'all') await local;
  }

  /** Re-checks every open connection now (the periodic sweep calls it). */
  sweep(): Promise<void> {
    this.sweeping ??= this.judge([...this.entries]).finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  /** Ends every connection (app shutdown) and stops the sweep and the bus. */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    for (const entry of [...this.entries]) this.finish(entry, { code: LIVE_SHUTDOWN });
    await this.bus.close();
  }

  private recheck(signal: LiveSignal): Promise<void> {
    return this.judge(this.matching(signal));
  }

  private matching(signal: LiveSignal): Entry[] {
    if (signal.scope === 'session') return [...(this.bySession.get(signal.value ?? '') ?? [])];
    if (signal.scope === 'all') return [...this.entries];
    return [...this.entries].filter((e) =>
      signal.scope === 'user'
        ? e.userId === signal.value
        : signal.scope === 'tenant'
          ? e.tenantId === signal.value
          : e.roles.includes(signal.value ?? ''),
    );
  }

  private async judge(entries: Entry[]): Promise<void> {
    const byToken = new Map<string, Entry[]>();
    for (const entry of entries) {
      const same = byToken.get(entry.tokenHash);
      if (same) same.push(entry);
      else byToken.set(entry.tokenHash, [entry]);
    }
    const tokens = [...byToken.keys()];
    for (let i = 0; i < tokens.length; i += RECHECK_CONCURRENCY) {
      const slice = tokens.slice(i, i + RECHECK_CONCURRENCY);
      await Promise.all(slice.map((token) => this.judgeToken(token, byToken.get(token)!)));
    }
  }

  private async judgeToken(tokenHash: string, entries: Entry[]): Promise<void> {
    let why: LiveConnectionEnd | null;
    try {
      const result = await this.sessions.inspect(tokenHash);
      why = !result.ok
        ? { code: result.code }
        : result.reauth
          ? { code: 'reauth_required', reason: result.reauth }
          : null;
    } catch (error) {
      this.logger.warn(`live connections: re-check failed: ${(error as Error).message}`);
      return;
    }
    if (why) for (const entry of entries) this.finish(entry, why);
  }

  private finish(entry: Entry, why: LiveConnectionEnd): void {
    if (entry.ended) return;
    this.forget(entry);
    try {
      entry.end(why);
    } catch (error) {
      this.logger.warn(`live connections: ending a ${entry.kind}: ${(error as Error).message}`);
    }
  }

  private forget(entry: Entry): void {
    entry.ended = true;
    this.entries.delete(entry);
    const group = this.bySession.get(entry.sessionId);
    group?.delete(entry);
    if (group?.size === 0) this.bySession.delete(entry.sessionId);
  }
}
