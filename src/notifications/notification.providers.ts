import { BullModule, getQueueToken } from '@nestjs/bull';
import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { Queue } from 'bull';
import { BullRedisClients, bullQueuePrefix } from '../common/bull-redis.js';
import { isRedisClient, type RedisSource } from '../common/redis-clients.js';
import { closeBullQueue, withBoundedShutdown } from '../common/bull-close.js';
import { Clock } from '../common/clock.js';
import { InlineQueue } from '../common/inline-queue.js';
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
  return notificationProvidersFor(resolveNotificationOptions(options));
}

/**
 * {@link notificationProviders} for options the pipeline already resolved.
 *
 * @example providers: [...notificationProvidersFor(statics.notifications)]
 */
export function notificationProvidersFor(resolved: ResolvedNotificationOptions): Provider[] {
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
      ? {
          provide: NOTIFICATION_JOB_QUEUE,
          inject: [getQueueToken(NOTIFICATION_QUEUE)],
          useFactory: (queue: Queue) => withBoundedShutdown(queue),
        }
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
  return notificationImportsFor(resolveNotificationOptions(options));
}

/**
 * {@link notificationImports} for options the pipeline already resolved.
 *
 * @example imports: [...notificationImportsFor(statics.notifications)]
 */
export function notificationImportsFor(resolved: ResolvedNotificationOptions): DynamicModule[] {
  if (resolved.queue !== 'bull' || !resolved.redis) return [];
  const prefix = bullQueuePrefix(resolved.queuePrefix, NOTIFICATION_QUEUE);
  const redis = resolved.redis;
  if (typeof redis === 'string') {
    return [BullModule.registerQueue({ name: NOTIFICATION_QUEUE, prefix, url: redis })];
  }
  if (!isRedisClient(redis) && !('cluster' in redis) && !('options' in redis)) {
    return [BullModule.registerQueue({ name: NOTIFICATION_QUEUE, prefix, redis })];
  }
  return [notificationQueueOn(redis as RedisSource, prefix)];
}

/**
 * The notification queue on connections the module opens itself (Cluster, Sentinel config or a
 * duplicated client), closed after the queue when the app shuts down.
 */
function notificationQueueOn(redis: RedisSource, prefix: string): DynamicModule {
  const clients = new BullRedisClients(redis);
  const queue = BullModule.registerQueue({
    name: NOTIFICATION_QUEUE,
    prefix,
    createClient: () => clients.open(),
  });
  @Module({ imports: [queue], exports: [queue] })
  class NotificationQueueConnections implements OnApplicationShutdown {
    constructor(@Inject(getQueueToken(NOTIFICATION_QUEUE)) private readonly bull: Queue) {}

    async onApplicationShutdown(): Promise<void> {
      await closeBullQueue(this.bull);
      await clients.closeAll();
    }
  }
  return { module: NotificationQueueConnections, imports: [queue], exports: [queue] };
}
