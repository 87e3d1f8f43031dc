import {
  DynamicModule,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AUDIT_CONFIG } from './audit/audit-config.js';
import { auditRetentionProviders } from './audit/audit-retention.providers.js';
import { AuditRetentionService } from './audit/audit-retention.service.js';
import { AuditSubscriber } from './audit/audit.subscriber.js';
import { AuditService } from './audit/audit.service.js';
import { Clock } from './common/clock.js';
import { RevocationService } from './revocation/revocation.service.js';
import { JOB_RECONCILE_INTERVAL } from './jobs/reconcile-loop.js';
import { bulkRevocationProviders } from './revocation/bulk/bulk-revocation.providers.js';
import { BulkRevocationService } from './revocation/bulk/bulk-revocation.service.js';
import { notificationProvidersFor } from './notifications/notification.providers.js';
import { JobQueues } from './jobs/job-queues.js';
import { NotificationService } from './notifications/notification.service.js';
import { NotificationBatchService } from './notifications/notification-batch.service.js';
import { permissionChangeProviders } from './permission-changes/permission-change.providers.js';
import { closeRedis, openRedis } from './common/redis-connection.js';
import { processRole } from './common/process-role.js';
import { isRedisClient, hasFailover, type RedisClient } from './common/redis-clients.js';
import {
  RESOLVED_OPTIONS,
  SESSION_SECURITY_DATA_SOURCE,
  SESSION_SECURITY_REDIS,
} from './common/tokens.js';
import { CsrfGuard } from './csrf/csrf.guard.js';
import { CsrfService } from './csrf/csrf.service.js';
import { FreshAuthGuard } from './fresh-auth/fresh-auth.guard.js';
import { GeoResolver } from './network/geo-resolver.interface.js';
import { HeaderGeoResolver } from './policy/header-geo-resolver.js';
import { POLICY_CONFIG } from './policy/policy-config.js';
import { PolicyGuard } from './policy/policy.guard.js';
import { PolicyService } from './policy/policy.service.js';
import { DecisionLog } from './policy/decision-log.service.js';
import { PermissionReview } from './policy-review/permission-review.service.js';
import { PolicyChanges } from './policy-changes/policy-changes.service.js';
import { PolicyFileWatcher } from './policy-changes/policy-file-watcher.js';
import { SessionSecurityHealth } from './health/session-security-health.service.js';
import { SessionCookieInterceptor } from './http/session-cookie.interceptor.js';
import { SessionSecurityExceptionFilter } from './http/session-security-exception.filter.js';
import { SessionGuard } from './http/session.guard.js';
import type { ResolvedOptions } from './options/resolved-options.js';
import { resolveOptions } from './module-options/resolve-options.js';
import {
  resolveStaticOptions,
  type ResolvedStaticOptions,
} from './module-options/static-options.js';
import type { SessionSecurityModuleOptions } from './module-options/session-security-options.interface.js';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  SESSION_SECURITY_OPTIONS,
} from './session-security.module-definition.js';
import { MemorySessionCache } from './session/memory-session-cache.js';
import { RedisSessionCache } from './session/redis-session-cache.js';
import { SessionCache } from './session/session-cache.interface.js';
import { SessionEvents } from './session/session-events.js';
import { SessionRecords } from './session/session-records.js';
import { SessionLimiter } from './session/session-limiter.js';
import { SessionActors } from './session/session-actors.js';
import { RememberedTokens } from './session/remembered-tokens.js';
import { SessionSignals } from './session/session-signals.js';
import { SessionStore } from './session/session-store.js';
import { SessionService } from './session/session.service.js';
import { UserStateRecords } from './session/user-state-records.js';
import { LoginThrottleService } from './throttle/login-throttle.service.js';
import { SessionLogin } from './login/session-login.service.js';
import { ImpersonationService } from './impersonation/impersonation.service.js';
import { LiveConnections } from './live/live-connections.service.js';
import { liveProviders } from './live/live.providers.js';

const OWNED_REDIS = Symbol('SESSION_SECURITY_OWNED_REDIS');

/** Injectable classes the module provides and exports. */
const services = [
  AuditService,
  AuditRetentionService,
  PolicyService,
  PolicyChanges,
  DecisionLog,
  PermissionReview,
  SessionEvents,
  SessionService,
  RevocationService,
  CsrfService,
  LoginThrottleService,
  SessionLogin,
  ImpersonationService,
  SessionSecurityHealth,
  SessionGuard,
  CsrfGuard,
  FreshAuthGuard,
  PolicyGuard,
];

const coreProviders: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    inject: [SESSION_SECURITY_OPTIONS],
    useFactory: (options: SessionSecurityModuleOptions) => resolveOptions(options),
  },
  { provide: Clock, inject: [RESOLVED_OPTIONS], useFactory: (o: ResolvedOptions) => o.clock },
  {
    // Every queue of the module: one Redis setting, one key prefix.
    provide: JobQueues,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) =>
      new JobQueues({ redis: o.redis || null, prefix: `${o.redisKeyPrefix}bull` }),
  },
  {
    provide: SESSION_SECURITY_DATA_SOURCE,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => o.dataSource,
  },
  {
    provide: OWNED_REDIS,
    inject: [RESOLVED_OPTIONS],
    // A URL, Cluster or Sentinel config: the module opens (and closes) its own connection.
    useFactory: (o: ResolvedOptions) =>
      o.redis && !isRedisClient(o.redis) ? openRedis(o.redis) : null,
  },
  {
    provide: SESSION_SECURITY_REDIS,
    inject: [RESOLVED_OPTIONS, OWNED_REDIS],
    useFactory: (o: ResolvedOptions, owned: RedisClient | null) => owned ?? (o.redis || null),
  },
  {
    provide: SessionCache,
    inject: [RESOLVED_OPTIONS, SESSION_SECURITY_REDIS, Clock],
    useFactory: (o: ResolvedOptions, redis: RedisClient | null, clock: Clock) => {
      // With failover (Sentinel, Cluster) an invalidation waits for a replica, or goes to the outbox.
      if (redis)
        return new RedisSessionCache(redis, o.redisKeyPrefix, hasFailover(o.redis) ? 1 : 0);
      new Logger('SessionSecurity').warn(
        'redis: false — SINGLE-INSTANCE MODE: sessions are cached in this process only; ' +
          'never run more than one instance like this',
      );
      return new MemorySessionCache(clock);
    },
  },
  {
    provide: AUDIT_CONFIG,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => o.audit,
  },
  {
    provide: POLICY_CONFIG,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => o.policy,
  },
  {
    provide: GeoResolver,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) =>
      o.policy.geo ?? new HeaderGeoResolver({ trustedProxies: o.trustProxy }),
  },
  AuditSubscriber,
  PolicyFileWatcher,
  SessionRecords,
  SessionLimiter,
  SessionActors,
  RememberedTokens,
  SessionSignals,
  UserStateRecords,
  SessionStore,
  SessionCookieInterceptor,
  ...services,
  ...liveProviders,
];

const globalProviders: Provider[] = [
  { provide: APP_GUARD, useExisting: SessionGuard },
  { provide: APP_GUARD, useExisting: CsrfGuard },
  { provide: APP_GUARD, useExisting: FreshAuthGuard },
  { provide: APP_GUARD, useExisting: PolicyGuard },
  { provide: APP_INTERCEPTOR, useExisting: SessionCookieInterceptor },
  { provide: APP_FILTER, useClass: SessionSecurityExceptionFilter },
];

const exported = [
  RESOLVED_OPTIONS,
  Clock,
  SESSION_SECURITY_DATA_SOURCE,
  SESSION_SECURITY_REDIS,
  GeoResolver,
  ...services,
  LiveConnections,
];

/**
 * Secure server-side sessions for a NestJS app. Import it once with `forRoot` / `forRootAsync`;
 * it brings no database connection of its own — pass the app's DataSource, which must include
 * {@link sessionSecurityEntities}.
 *
 * @example
 * SessionSecurityModule.forRootAsync({
 *   inject: [DataSource],
 *   useFactory: (dataSource: DataSource) => ({ dataSource, secret, redis: process.env.REDIS_URL }),
 * })
 */
@Module({})
export class SessionSecurityModule
  extends ConfigurableModuleClass
  implements OnApplicationShutdown
{
  constructor(@Inject(OWNED_REDIS) private readonly ownedRedis: RedisClient | null) {
    super();
  }

  /** The module with its options given directly; every option is checked at startup. */
  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    const statics = resolveStaticOptions(options ?? {}, false);
    return withProviders(super.forRoot(options), statics);
  }

  /** The module with its options from a factory; checked at startup exactly as `forRoot`'s. */
  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    const statics = resolveStaticOptions(options ?? {}, true);
    return withProviders(super.forRootAsync(options), statics);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownedRedis) await closeRedis(this.ownedRedis);
  }
}

function withProviders(definition: DynamicModule, given: ResolvedStaticOptions): DynamicModule {
  const statics = forProcessRole(given);
  const bulk = statics.bulkRevocation;
  return {
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      ...coreProviders,
      { provide: JOB_RECONCILE_INTERVAL, useValue: statics.reconcileInterval },
      ...notificationProvidersFor(statics.notifications),
      ...(bulk ? bulkRevocationProviders(bulk) : []),
      ...auditRetentionProviders(statics),
      ...permissionChangeProviders(statics),
      ...(statics.globalGuards ? globalProviders : []),
    ],
    exports: [
      ...(definition.exports ?? []),
      ...exported,
      NotificationService,
      NotificationBatchService,
      ...(bulk ? [BulkRevocationService] : []),
    ],
  };
}

/**
 * The extras as the process role wants them: a `session-security worker` process runs every
 * queue's worker whatever the app set, a CLI command process runs none (it only queues).
 */
function forProcessRole(statics: ResolvedStaticOptions): ResolvedStaticOptions {
  const role = processRole();
  if (role === 'app') return statics;
  const worker = role === 'worker';
  return {
    ...statics,
    worker,
    notifications: { ...statics.notifications, worker },
    bulkRevocation: statics.bulkRevocation ? { ...statics.bulkRevocation, worker } : null,
  };
}
