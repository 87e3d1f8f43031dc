import type { Provider } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { jobQueueToken, type JobQueue } from '../jobs/job-queue.js';
import { JobQueues } from '../jobs/job-queues.js';
import { NotificationChannel } from './notification-channel.interface.js';
import { NotificationChannelRegistry } from './notification-channel.registry.js';
import { NotificationDeliveryService } from './notification-delivery.service.js';
import type { NotificationJobData } from './notification-job.js';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_JOB_QUEUE,
  NOTIFICATION_OPTIONS,
  NOTIFICATION_QUEUE,
  resolveNotificationOptions,
  type NotificationModuleOptions,
  type ResolvedNotificationOptions,
} from './notification-options.js';
import { NotificationService } from './notification.service.js';
import { NotificationBatchService } from './notification-batch.service.js';
import { NotificationReconciler } from './notification.reconciler.js';
import { NotificationPageDeliveryService } from './notification-page-delivery.service.js';
import { NotificationPageQueues } from './notification-page-queues.js';
import { NotificationSubscriber } from './notification.subscriber.js';

/**
 * The providers of the notification feature, for the module that also provides
 * `SESSION_SECURITY_DATA_SOURCE`, `Clock`, `JobQueues` and (unless `sessionEvents: false`)
 * `SessionEvents` — `SessionSecurityModule` does, with its `notifications` option. Options are
 * checked here, at startup. Delivery jobs go to the queue {@link NOTIFICATION_QUEUE}: on Bull when
 * `JobQueues` has Redis (processed here unless `worker: false`), in process otherwise.
 *
 * @example
 * @Module({ providers: [jobQueuesProvider({ redis: null, prefix: 'ss:bull' }), ...notificationProviders(opts)] })
 */
export function notificationProviders(options: NotificationModuleOptions = {}): Provider[] {
  return notificationProvidersFor(resolveNotificationOptions(options));
}

/**
 * {@link notificationProviders} for options the pipeline already resolved.
 *
 * @example providers: [...notificationProvidersFor(statics.notifications)]
 */
export function notificationProvidersFor(resolved: ResolvedNotificationOptions): Provider[] {
  return [
    { provide: NOTIFICATION_OPTIONS, useValue: resolved },
    {
      provide: NOTIFICATION_CHANNELS,
      inject: [NOTIFICATION_OPTIONS, Clock, { token: NotificationChannel, optional: true }],
      useFactory: (o: ResolvedNotificationOptions, clock: Clock, extra?: NotificationChannel) =>
        NotificationChannelRegistry.fromOptions(o, clock, extra),
    },
    NotificationDeliveryService,
    {
      provide: NOTIFICATION_JOB_QUEUE,
      inject: [JobQueues, NotificationDeliveryService],
      useFactory: (queues: JobQueues, delivery: NotificationDeliveryService) =>
        queues.open<NotificationJobData>({
          name: NOTIFICATION_QUEUE,
          worker: resolved.worker,
          handler: (job) => delivery.run(job.data),
          logContext: 'SessionSecurityNotifications',
        }),
    },
    {
      // The Bull queue itself under the usual token (`@InjectQueue`, the queue dashboard).
      provide: jobQueueToken(NOTIFICATION_QUEUE),
      inject: [NOTIFICATION_JOB_QUEUE],
      useFactory: (queue: JobQueue<NotificationJobData>) => queue.bull,
    },
    NotificationPageDeliveryService,
    {
      provide: NotificationPageQueues,
      inject: [JobQueues, NOTIFICATION_CHANNELS, NotificationPageDeliveryService],
      useFactory: (
        queues: JobQueues,
        channels: NotificationChannelRegistry,
        pages: NotificationPageDeliveryService,
      ) => new NotificationPageQueues(queues, channels, resolved, (data) => pages.run(data)),
    },
    NotificationService,
    NotificationBatchService,
    NotificationReconciler,
    ...(resolved.sessionEvents ? [NotificationSubscriber] : []),
  ];
}
