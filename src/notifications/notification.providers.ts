import { BullModule, getQueueToken } from '@nestjs/bull';
import type { DynamicModule, Provider } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { InlineQueue } from './inline-queue.js';
import { NotificationChannel } from './notification-channel.interface.js';
import { NotificationChannelRegistry } from './notification-channel.registry.js';
import { NotificationDeliveryService } from './notification-delivery.service.js';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_JOB_QUEUE,
  NOTIFICATION_OPTIONS,
  NOTIFICATION_QUEUE,
  resolveNotificationOptions,
  type NotificationModuleOptions,
  type ResolvedNotificationOptions,
} from './notification-options.js';
import { NotificationProcessor } from './notification.processor.js';
import { NotificationService } from './notification.service.js';
import { NotificationBatchService } from './notification-batch.service.js';
import { NotificationReconciler } from './notification.reconciler.js';
import { NotificationSubscriber } from './notification.subscriber.js';

/**
 * The providers of the notification feature, for the module that also provides
 * `SESSION_SECURITY_DATA_SOURCE`, `Clock` and (unless `sessionEvents: false`) `SessionEvents`. Options are checked here, at startup. With
 * `queue: 'bull'` the Bull queue {@link NOTIFICATION_QUEUE} must be registered in the same
 * module (see {@link notificationImports}); with `'inline'` jobs run in this process.
 *
 * @example
 * @Module({ imports: [...notificationImports(opts)], providers: [...notificationProviders(opts)] })
 */
export function notificationProviders(options: NotificationModuleOptions = {}): Provider[] {
  const resolved = resolveNotificationOptions(options);
  const bull = resolved.queue === 'bull';
  return [
    { provide: NOTIFICATION_OPTIONS, useValue: resolved },
    {
      provide: NOTIFICATION_CHANNELS,
      inject: [NOTIFICATION_OPTIONS, Clock, { token: NotificationChannel, optional: true }],
      useFactory: (o: ResolvedNotificationOptions, clock: Clock, extra?: NotificationChannel) =>
        NotificationChannelRegistry.fromOptions(o, clock, extra),
    },
    NotificationDeliveryService,
    bull
      ? { provide: NOTIFICATION_JOB_QUEUE, useExisting: getQueueToken(NOTIFICATION_QUEUE) }
      : {
          provide: NOTIFICATION_JOB_QUEUE,
          inject: [NotificationDeliveryService],
          useFactory: (delivery: NotificationDeliveryService) =>
            new InlineQueue((job) => delivery.run(job.data)),
        },
    ...(bull && resolved.worker ? [NotificationProcessor] : []),
    NotificationService,
    NotificationBatchService,
    NotificationReconciler,
    ...(resolved.sessionEvents ? [NotificationSubscriber] : []),
  ];
}

/**
 * The module imports the notification feature needs: with `queue: 'bull'`, the registration of
 * the Bull queue {@link NOTIFICATION_QUEUE} on `options.redis` under `options.queuePrefix`
 * (the library opens its own queue connections and never calls `BullModule.forRoot` for the
 * app); with `'inline'`, nothing.
 *
 * @example
 * imports: [...notificationImports({ redis: 'redis://127.0.0.1:6379' })]
 */
export function notificationImports(options: NotificationModuleOptions = {}): DynamicModule[] {
  const resolved = resolveNotificationOptions(options);
  if (resolved.queue !== 'bull' || !resolved.redis) return [];
  const connection =
    typeof resolved.redis === 'string' ? { url: resolved.redis } : { redis: resolved.redis };
  return [
    BullModule.registerQueue({
      name: NOTIFICATION_QUEUE,
      prefix: resolved.queuePrefix,
      ...connection,
    }),
  ];
}
