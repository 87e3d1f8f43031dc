import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { duplicateRedis, type RedisClient } from '../common/redis-clients.js';
import { closeRedis } from '../common/redis-connection.js';
import { parseLiveSignal, type LiveSignal } from './live-signal.js';

/** Delivers {@link LiveSignal}s to this instance and to every other instance. */
export interface LiveSignalBus {
  /** Sends a signal to the other instances (this instance handles it directly). */
  publish(signal: LiveSignal): Promise<void>;
  /** Called with every signal from another instance, and after the bus reconnected. */
  onSignal(listener: (signal: LiveSignal | 'reconnected') => void): void;
  close(): Promise<void>;
}

/** Single-instance mode (`redis: false`): there is no other instance to tell. */
export class LocalLiveSignalBus implements LiveSignalBus {
  async publish(): Promise<void> {}
  onSignal(): void {}
  async close(): Promise<void> {}
}

/**
 * Fan-out through the Redis every instance shares: `PUBLISH` on the module's connection, one
 * subscriber connection (a duplicate) per instance on `<prefix>{ss}:live`. A signal lost while
 * Redis was away is covered by the re-check that follows every reconnect and by the sweep.
 */
export class RedisLiveSignalBus implements LiveSignalBus {
  private readonly logger = new Logger('SessionSecurity');
  private readonly id = randomUUID();
  private readonly channel: string;
  private readonly subscriber: RedisClient;
  private readonly listeners: Array<(signal: LiveSignal | 'reconnected') => void> = [];
  private wasReady = false;
  private lost = false;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.channel = `${prefix}{ss}:live`;
    this.subscriber = duplicateRedis(redis, {
      lazyConnect: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      enableAutoPipelining: false,
    });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('close', () => {
      if (this.wasReady) this.lost = true;
    });
    this.subscriber.on('ready', () => {
      if (this.lost) this.emit('reconnected');
      this.wasReady = true;
      this.lost = false;
    });
    this.subscriber.on('message', (_channel: string, raw: string) => {
      const signal = parseLiveSignal(raw);
      if (signal && signal.from !== this.id)
        this.emit({ scope: signal.scope, value: signal.value });
    });
  }

  /**
   * Connects the subscriber; resolves once subscribed, at once when the module's connection is
   * not ready (Redis down or frozen at boot), and after at most a second otherwise. A bus that
   * subscribes only later reports `'reconnected'` then, so what it missed is re-checked.
   */
  async start(): Promise<void> {
    this.subscriber.connect().catch(() => undefined);
    let subscribed = false;
    const subscribing = this.subscriber.subscribe(this.channel).then(
      () => (subscribed = true),
      () => undefined,
    );
    if (this.redis.status === 'ready') {
      await Promise.race([
        subscribing,
        new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
      ]);
    }
    if (!subscribed) this.lost = true;
  }

  async publish(signal: LiveSignal): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify({ ...signal, from: this.id }));
    } catch (error) {
      this.logger.warn(
        `live connections: could not publish ${signal.scope} signal (${(error as Error).message}); ` +
          'other instances catch up at their next sweep',
      );
    }
  }

  onSignal(listener: (signal: LiveSignal | 'reconnected') => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.listeners.length = 0;
    await closeRedis(this.subscriber);
  }

  private emit(signal: LiveSignal | 'reconnected'): void {
    for (const listener of this.listeners) listener(signal);
  }
}
