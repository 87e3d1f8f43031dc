import type { Clock } from '../common/clock.js';
import { InAppChannel } from './in-app.channel.js';
import { LogChannel } from './log.channel.js';
import type { NotificationChannel } from './notification-channel.interface.js';
import type { ResolvedNotificationOptions } from './notification-options.js';
import { WebhookChannel } from './webhook.channel.js';

/**
 * The channels notifications go through, by name: always the in-app inbox, then the webhook and
 * log channels when configured, then the app's own.
 *
 * @example
 * const registry = NotificationChannelRegistry.fromOptions(resolved, clock);
 * registry.names; // ['in_app', 'webhook']
 */
export class NotificationChannelRegistry {
  private readonly byName = new Map<string, NotificationChannel>();

  constructor(channels: readonly NotificationChannel[]) {
    for (const channel of channels) {
      if (this.byName.has(channel.name)) {
        throw new Error(`notification channel '${channel.name}' is registered twice`);
      }
      this.byName.set(channel.name, channel);
    }
  }

  /** Builds the registry the options describe, plus an optional channel from DI. */
  static fromOptions(
    options: ResolvedNotificationOptions,
    clock: Clock,
    extra?: NotificationChannel | null,
  ): NotificationChannelRegistry {
    return new NotificationChannelRegistry([
      new InAppChannel(),
      ...(options.webhook ? [new WebhookChannel(options.webhook, clock)] : []),
      ...(options.log ? [new LogChannel()] : []),
      ...options.channels,
      ...(extra ? [extra] : []),
    ]);
  }

  /** Names of every channel, in registration order. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): NotificationChannel | undefined {
    return this.byName.get(name);
  }
}
