import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { NOTIFICATION_OPTIONS, type ResolvedNotificationOptions } from './notification-options.js';
import { NotificationService } from './notification.service.js';

/**
 * With the in-process queue, whose jobs die with the process, queues again at startup every
 * delivery left `pending` (Bull keeps its jobs in Redis, so it needs no such step).
 *
 * @example
 * providers: [...notificationProviders()] // includes it
 */
@Injectable()
export class NotificationStartup implements OnApplicationBootstrap {
  private readonly logger = new Logger('SessionSecurityNotifications');

  constructor(
    private readonly notifications: NotificationService,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: ResolvedNotificationOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.queue !== 'inline') return;
    try {
      const count = await this.notifications.enqueuePending();
      if (count > 0) this.logger.log(`re-queued ${count} pending notification deliveries`);
    } catch (error) {
      this.logger.warn(`could not re-queue pending deliveries: ${(error as Error).message}`);
    }
  }
}
