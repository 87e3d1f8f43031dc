import { z } from 'zod';
import type { Duration } from '../common/duration.js';
import { booleanOption, durationOption, integerOption } from '../options/option-schemas.js';
import { parseSection } from '../options/option-issues.js';
import type { NotificationChannel } from './notification-channel.interface.js';
import type { WebhookChannelOptions } from './webhook.channel.js';

/** Name of the queue that carries delivery jobs. */
export const NOTIFICATION_QUEUE = 'session-security-notifications';
/** Name of the one job kind on {@link NOTIFICATION_QUEUE}. */
export const NOTIFICATION_DELIVER_JOB = 'deliver';

/** DI token of the {@link NotificationModuleOptions} given to `notificationProviders()`. */
export const NOTIFICATION_OPTIONS = Symbol('SESSION_SECURITY_NOTIFICATION_OPTIONS');
/** DI token of the resolved `NotificationChannelRegistry`. */
export const NOTIFICATION_CHANNELS = Symbol('SESSION_SECURITY_NOTIFICATION_CHANNELS');
/** DI token of the `JobQueue` delivery jobs are added to (Bull or in process). */
export const NOTIFICATION_JOB_QUEUE = Symbol('SESSION_SECURITY_NOTIFICATION_JOB_QUEUE');

/**
 * Options of `notificationProviders()`: the `notifications` extra of `SessionSecurityModule.forRoot`.
 *
 * @example
 * notificationProviders({
 *   webhook: { url: 'https://hooks.example.com/security', secret: process.env.HOOK_SECRET! },
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
   * Deliver in this process (default `true`). With Redis, set `false` on app instances when a
   * separate worker process (with `worker: true`) delivers. Without Redis, jobs always run here.
   */
  worker?: boolean;
  /** Tries per delivery before it stays `failed` (default 8). */
  attempts?: number;
  /** First retry delay, doubled on each retry (default `'1s'`). */
  backoff?: Duration;
  /** How long a worker owns a delivery it claimed before another may take it over (default `'60s'`). */
  lease?: Duration;
  /** Notify on session events (revocation, permission change, new sign-in) (default `true`). */
  sessionEvents?: boolean;
}

/** {@link NotificationModuleOptions} checked and with defaults filled in, durations in ms. */
export interface ResolvedNotificationOptions {
  channels: NotificationChannel[];
  webhook: WebhookChannelOptions | null;
  log: boolean;
  worker: boolean;
  attempts: number;
  backoffMs: number;
  leaseMs: number;
  sessionEvents: boolean;
}

const CHANNEL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const webhookSection = z.strictObject({
  url: z
    .string('must be an http(s) URL')
    .refine(
      (url) => /^https?:\/\/[^\s]+$/i.test(url) && URL.canParse(url),
      'must be an http(s) URL',
    ),
  secret: z
    .string('must be at least 32 characters (e.g. 32 random bytes, hex)')
    .min(32, 'must be at least 32 characters (e.g. 32 random bytes, hex)'),
  timeout: durationOption('5s', { max: 60_000 }),
  batchSize: integerOption(100, 1, 1000),
  concurrency: integerOption(2, 1, 32),
});

const channelSchema = z.custom<NotificationChannel>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as NotificationChannel).deliver === 'function',
  'must be a NotificationChannel ({ name, deliver(notification) })',
);

/** The `notifications` section of the options pipeline: shape, defaults, durations in ms. */
export const notificationSection = z
  .strictObject({
    channels: z.array(channelSchema).default([]),
    webhook: webhookSection.optional(),
    log: booleanOption(false),
    worker: booleanOption(true),
    attempts: integerOption(8, 1, 50),
    backoff: durationOption('1s', { max: 3_600_000 }),
    lease: durationOption('60s', { min: 1_000, max: 3_600_000 }),
    sessionEvents: booleanOption(true),
  })
  .superRefine((options, ctx) => {
    const names = new Set<string>(['in_app']);
    if (options.webhook) names.add('webhook');
    if (options.log) names.add('log');
    options.channels.forEach((channel, i) => {
      const path = ['channels', i, 'name'];
      if (!CHANNEL_NAME.test(channel.name ?? '')) {
        const message = `1-64 letters, digits, '_' or '-', got '${channel.name}'`;
        ctx.addIssue({ code: 'custom', path, message });
      } else if (names.has(channel.name)) {
        ctx.addIssue({ code: 'custom', path, message: `'${channel.name}' is already taken` });
      }
      names.add(channel.name);
    });
  })
  .transform(({ webhook, backoff, lease, ...options }): ResolvedNotificationOptions => ({
    ...options,
    webhook: webhook
      ? {
          url: webhook.url,
          secret: webhook.secret,
          timeout: webhook.timeout,
          batchSize: webhook.batchSize,
          concurrency: webhook.concurrency,
        }
      : null,
    backoffMs: backoff,
    leaseMs: lease,
  }));

/**
 * Checks the options once, at startup, and fills in defaults; throws a
 * `SessionSecurityOptionsError` listing every problem under `notifications.`.
 *
 * @example
 * resolveNotificationOptions({ webhook: { url: 'ftp://x', secret: 's' } }); // throws, naming both
 */
export function resolveNotificationOptions(
  options: NotificationModuleOptions = {},
): ResolvedNotificationOptions {
  return parseSection('notifications', notificationSection, options);
}
