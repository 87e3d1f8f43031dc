import type { NotificationChannel } from './notification-channel.interface.js';

/**
 * The in-app inbox. The `ss_notification` row is the inbox entry, so delivering means nothing more
 * than recording that the row exists; users read it with `NotificationService.listForUser()`.
 *
 * @example
 * notificationProviders({ channels: [] }); // the in-app channel is always registered
 */
export class InAppChannel implements NotificationChannel {
  /** The channel's name, `in_app`. */
  static readonly NAME = 'in_app';
  readonly name = InAppChannel.NAME;

  async deliver(): Promise<void> {}
}
