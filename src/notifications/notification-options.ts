import type { QueueOptions } from 'bull';
import type { RedisSource } from '../common/redis-clients.js';
import type { NotificationChannel } from './notification-channel.interface.js';
import type { WebhookChannelOptions } from './webhook.channel.js';

/** Name of the Bull queue that carries delivery jobs. */
export const NOTIFICATION_QUEUE = 'session-security-notifications';
/** Name of the one job kind on {@link NOTIFICATION_QUEUE}. */
export const NOTIFICATION_DELIVER_JOB = 'deliver';

/** DI token of the {@link NotificationModuleOptions} given to `notificationProviders()`. */
export const NOTIFICATION_OPTIONS = Symbol('SESSION_SECURITY_NOTIFICATION_OPTIONS');
/** DI token of the resolved `NotificationChannelRegistry`. */
export const NOTIFICATION_CHANNELS = Symbol('SESSION_SECURITY_NOTIFICATION_CHANNELS');
/** DI token of the queue delivery jobs are added to (a Bull queue or an `InlineQueue`). */
export const NOTIFICATION_JOB_QUEUE = Symbol('SESSION_SECURITY_NOTIFICATION_JOB_QUEUE');

/**
 * Options of `notificationProviders()`.
 *
 * @example
 * notificationProviders({
 *   webhook: { url: 'https://hooks.example.com/security', secret: process.env.HOOK_SECRET! },
 *   redis: 'redis://127.0.0.1:6379',
 * });
 */
export interface NotificationModuleOptions {
  /** Extra channels besides the in-app inbox (and the webhook, when `webhook` is set). */
  channels?: NotificationChannel[];
  /** Registers a {@link WebhookChannel} posting to this URL. */
  webhook?: WebhookChannelOptions;
  /** Also write every notification to the Nest log (default `false`). */
  log?: boolean;
  /**
   * `'bull'` (default when `redis` is set): jobs go to the Bull queue {@link NOTIFICATION_QUEUE},
   * which the app registers (see `notificationImports()`). `'inline'` (default otherwise): jobs
   * run in this process; jobs in flight are lost on a crash and picked up again at the next start.
   */
  queue?: 'bull' | 'inline';
  /**
   * Redis of the Bull queue when `notificationImports()` registers it: a URL, ioredis options,
   * or what the module's `redis` option takes (a Cluster or Sentinel config, an ioredis client).
   */
  redis?: RedisSource | QueueOptions['redis'];
  /**
   * Key prefix of the Bull queue registered by `notificationImports()` (default `'ss:bull'`);
   * the queue name is added as hash tag (`ss:bull:{session-security-notifications}`).
   */
  queuePrefix?: string;
  /**
   * Run the Bull worker in this process (default `true`). Set `false` on app instances when a
   * separate worker process (with `worker: true`) delivers.
   */
  worker?: boolean;
  /** Tries per delivery before it stays `failed` (default 8). */
  attempts?: number;
  /** First retry delay in ms, doubled on each retry (default 1000). */
  backoffMs?: number;
  /** How long a worker owns a delivery it claimed before another may take it over (default 60 s). */
  leaseMs?: number;
  /** Notify on session events (revocation, permission change, new sign-in) (default `true`). */
  sessionEvents?: boolean;
}

/** {@link NotificationModuleOptions} checked and with defaults filled in. */
export interface ResolvedNotificationOptions {
  channels: NotificationChannel[];
  webhook: WebhookChannelOptions | null;
  log: boolean;
  queue: 'bull' | 'inline';
  redis: RedisSource | QueueOptions['redis'] | null;
  queuePrefix: string;
  worker: boolean;
  attempts: number;
  backoffMs: number;
  leaseMs: number;
  sessionEvents: boolean;
}

/** Startup error naming each notification option that is wrong. */
export class NotificationOptionsError extends Error {
  constructor(problems: string[]) {
    super(`Invalid notification options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'NotificationOptionsError';
  }
}

const CHANNEL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks the options once, at startup, and fills in defaults; throws a
 * {@link NotificationOptionsError} listing every problem.
 *
 * @example
 * resolveNotificationOptions({ webhook: { url: 'ftp://x', secret: 's' } }); // throws, naming both
 */
export function resolveNotificationOptions(
  options: NotificationModuleOptions = {},
): ResolvedNotificationOptions {
  const problems: string[] = [];
  const integer = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}: must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  const webhook = options.webhook ?? null;
  if (webhook) {
    if (!/^https?:\/\/[^\s]+$/i.test(webhook.url ?? '') || !URL.canParse(webhook.url)) {
      problems.push(`webhook.url: must be an http(s) URL, got '${webhook.url}'`);
    }
    if (typeof webhook.secret !== 'string' || webhook.secret.length < 32) {
      problems.push('webhook.secret: must be at least 32 characters (e.g. 32 random bytes, hex)');
    }
    if (webhook.timeoutMs !== undefined) integer('webhook.timeoutMs', webhook.timeoutMs, 1, 60_000);
  }
  const names = new Set<string>(['in_app']);
  if (webhook) names.add('webhook');
  if (options.log) names.add('log');
  (options.channels ?? []).forEach((channel, i) => {
    if (!CHANNEL_NAME.test(channel?.name ?? '')) {
      problems.push(
        `channels[${i}].name: 1-64 letters, digits, '_' or '-', got '${channel?.name}'`,
      );
    } else if (names.has(channel.name)) {
      problems.push(`channels[${i}].name: '${channel.name}' is already taken`);
    }
    names.add(channel?.name);
  });
  const queue = options.queue ?? (options.redis ? 'bull' : 'inline');
  if (queue !== 'bull' && queue !== 'inline') {
    problems.push(`queue: must be 'bull' or 'inline', got '${queue}'`);
  }
  const queuePrefix = options.queuePrefix ?? 'ss:bull';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(queuePrefix)) {
    problems.push(`queuePrefix: 1-64 letters, digits and : _ . - only, got '${queuePrefix}'`);
  }
  const resolved: ResolvedNotificationOptions = {
    channels: options.channels ?? [],
    webhook,
    log: options.log ?? false,
    queue,
    redis: options.redis ?? null,
    queuePrefix,
    worker: options.worker ?? true,
    attempts: integer('attempts', options.attempts ?? 8, 1, 50),
    backoffMs: integer('backoffMs', options.backoffMs ?? 1_000, 1, 3_600_000),
    leaseMs: integer('leaseMs', options.leaseMs ?? 60_000, 1_000, 3_600_000),
    sessionEvents: options.sessionEvents ?? true,
  };
  if (problems.length > 0) throw new NotificationOptionsError(problems);
  return resolved;
}
