import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { NotificationService } from './notification.service.js';

/**
 * Queues again at startup every delivery left `pending`: jobs of the in-process queue die with the
 * process, and a process may die between committing a notification and queueing its jobs. Safe
 * with Bull too: a job still queued under the same id is not added twice.
 *
 * @example
 * providers: [...notificationProviders()] // includes it
 */
@Injectable()
export class NotificationStartup implements OnApplicationBootstrap {
  private readonly logger = new Logger('SessionSecurityNotifications');

  constructor(private readonly notifications: NotificationService) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const count = await this.notifications.enqueuePending();
      if (count > 0) this.logger.log(`re-queued ${count} pending notification deliveries`);
    } catch (error) {
      this.logger.warn(`could not re-queue pending deliveries: ${(error as Error).message}`);
    }
  }
}
