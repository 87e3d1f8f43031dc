import { Logger } from '@nestjs/common';
import type { NotificationChannel } from './notification-channel.interface.js';
import type { SessionNotification } from './notification.entity.js';

/**
 * Writes each notification to the Nest logger (context `SessionSecurityNotifications`): its id,
 * user and type, never the payload, which may hold personal data.
 *
 * @example
 * notificationProviders({ channels: [new LogChannel()] });
 */
export class LogChannel implements NotificationChannel {
  readonly name = 'log';

  constructor(private readonly logger = new Logger('SessionSecurityNotifications')) {}

  async deliver(notification: SessionNotification): Promise<void> {
    this.logger.log(
      `notification ${notification.id}: ${notification.type} for user ${notification.userId}`,
    );
  }
}
