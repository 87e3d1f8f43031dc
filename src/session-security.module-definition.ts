import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { Duration } from './common/duration.js';
import type { NotificationModuleOptions } from './notifications/notification-options.js';
import type { BulkRevocationOptions } from './revocation/bulk/bulk-revocation.options.js';
import type { SessionSecurityModuleOptions } from './module-options/session-security-options.interface.js';

/**
 * Static extras of `forRoot` / `forRootAsync`, known before the options are resolved: they decide
 * which providers and queues the module has, so they are checked when `forRoot*` is called and a
 * `forRootAsync` factory cannot return them.
 */
export interface SessionSecurityExtras {
  /** Make the module's providers visible everywhere (default `true`). */
  isGlobal?: boolean;
  /** Register the module's guards, interceptor and filter globally: deny by default (default `true`). */
  globalGuards?: boolean;
  /**
   * Notifications to users (in-app, webhook, log, your own channels). Static because it decides
   * which queues exist: Bull on `redis` when given, otherwise in-process delivery.
   */
  notifications?: NotificationModuleOptions;
  /**
   * Bulk session revocation (`BulkRevocationService`): on by default, jobs on Bull when the
   * module has Redis, in process otherwise; `false` leaves it out (no queue, no worker).
   */
  bulkRevocation?: BulkRevocationOptions | false;
  /**
   * Process this module's Bull jobs in this process (default `true`). It is the default of every
   * queue's own `worker` setting (`notifications.worker`, `bulkRevocation.worker`, ...); a
   * queue-specific `worker` wins. Set `false` on HTTP instances when a separate worker process
   * (e.g. `session-security worker`) runs the jobs.
   */
  worker?: boolean;
  /**
   * How often the job reconcilers compare the database with the queues (default `'15s'`, 100 ms
   * to 1 h): bulk revocation jobs, permission changes and notification deliveries that are
   * unfinished in the database but missing from their queue (Redis flushed or restarted empty,
   * an enqueue deferred while Redis was down) are queued again within one interval.
   */
  reconcileInterval?: Duration;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: SESSION_SECURITY_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SessionSecurityModuleOptions>({ moduleName: 'SessionSecurity' })
  .setClassMethodName('forRoot')
  .setExtras<SessionSecurityExtras>(
    {
      isGlobal: true,
      globalGuards: true,
      notifications: undefined,
      bulkRevocation: undefined,
      worker: true,
      reconcileInterval: undefined,
    },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();
