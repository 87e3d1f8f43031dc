import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import {
  NotificationDeliveryService,
  type DeliveryOutcome,
} from './notification-delivery.service.js';
import type { NotificationJobData } from '../common/job-queue.interface.js';
import { NOTIFICATION_DELIVER_JOB, NOTIFICATION_QUEUE } from './notification-options.js';

/**
 * The Bull worker of {@link NOTIFICATION_QUEUE}: hands each `deliver` job to
 * {@link NotificationDeliveryService}, whose error makes Bull retry with the job's backoff.
 * Registered only when the queue is `'bull'` and `worker` is not `false`.
 *
 * @example
 * providers: [...notificationProviders({ queue: 'bull', worker: true })] // includes it
 */
@Processor(NOTIFICATION_QUEUE)
export class NotificationProcessor {
  constructor(private readonly delivery: NotificationDeliveryService) {}

  @Process(NOTIFICATION_DELIVER_JOB)
  handle(job: Job<NotificationJobData>): Promise<DeliveryOutcome> {
    return this.delivery.run(job.data);
  }
}
