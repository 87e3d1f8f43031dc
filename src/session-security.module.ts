import {
  DynamicModule,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { AUDIT_CONFIG } from './audit/audit-config.js';
import { auditRetentionProviders } from './audit/audit-retention.providers.js';
import { AuditRetentionService } from './audit/audit-retention.service.js';
import { AuditSubscriber } from './audit/audit.subscriber.js';
import { AuditService } from './audit/audit.service.js';
import { Clock } from './common/clock.js';
import { RevocationService } from './revocation/revocation.service.js';
import { JOB_RECONCILE_INTERVAL } from './jobs/reconcile-loop.js';
import { resolveReconcileInterval } from './options/reconcile-interval.js';
import { bulkRevocationProviders } from './revocation/bulk/bulk-revocation.providers.js';
import { BulkRevocationService } from './revocation/bulk/bulk-revocation.service.js';
import {
  notificationImports,
  notificationProviders,
} from './notifications/notification.providers.js';
import { NotificationService } from './notifications/notification.service.js';
import { NotificationBatchService } from './notifications/notification-batch.service.js';
import { permissionChangeProviders } from './permission-changes/permission-change.providers.js';
import { openRedis } from './common/redis-connection.js';
import {
  RESOLVED_OPTIONS,
  SESSION_SECURITY_DATA_SOURCE,
  SESSION_SECURITY_REDIS,
} from './common/tokens.js';
import { CsrfGuard } from './csrf/csrf.guard.js';
import { CsrfService } from './csrf/csrf.service.js';
import { FreshAuthGuard } from './fresh-auth/fresh-auth.guard.js';
import { GeoResolver } from './policy/geo-resolver.interface.js';
import { HeaderGeoResolver } from './policy/header-geo-resolver.js';
import { POLICY_CONFIG } from './policy/policy-config.js';
import { PolicyGuard } from './policy/policy.guard.js';
import { PolicyService } from './policy/policy.service.js';
import { SessionSecurityHealth } from './health/session-security-health.service.js';
import { SessionCookieInterceptor } from './http/session-cookie.interceptor.js';
import { SessionSecurityExceptionFilter } from './http/session-security-exception.filter.js';
import { SessionGuard } from './http/session.guard.js';
import { ResolvedOptions, resolveOptions } from './options/resolve-options.js';
import type { SessionSecurityModuleOptions } from './options/session-security-options.interface.js';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  SESSION_SECURITY_OPTIONS,
  type SessionSecurityExtras,
} from './session-security.module-definition.js';
import { MemorySessionCache } from './session/memory-session-cache.js';
import { RedisSessionCache } from './session/redis-session-cache.js';
import { SessionCache } from './session/session-cache.interface.js';
import { SessionEvents } from './session/session-events.js';
import { SessionStore } from './session/session-store.js';
import { SessionService } from './session/session.service.js';
import { LoginThrottleService } from './throttle/login-throttle.service.js';
import { LiveConnections } from './live/live-connections.service.js';
import { liveProviders } from './live/live.providers.js';

const OWNED_REDIS = Symbol('SESSION_SECURITY_OWNED_REDIS');

/** Injectable classes the module provides and exports. */
const services = [
  AuditService,
  AuditRetentionService,
  PolicyService,
  SessionEvents,
  SessionService,
  RevocationService,
  CsrfService,
  LoginThrottleService,
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
    provide: SESSION_SECURITY_DATA_SOURCE,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => o.dataSource,
  },
  {
    provide: OWNED_REDIS,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => (typeof o.redis === 'string' ? openRedis(o.redis) : null),
  },
  {
    provide: SESSION_SECURITY_REDIS,
    inject: [RESOLVED_OPTIONS, OWNED_REDIS],
    useFactory: (o: ResolvedOptions, owned: Redis | null) => owned ?? (o.redis || null),
  },
  {
    provide: SessionCache,
    inject: [RESOLVED_OPTIONS, SESSION_SECURITY_REDIS, Clock],
    useFactory: (o: ResolvedOptions, redis: Redis | null, clock: Clock) => {
      if (redis) return new RedisSessionCache(redis, o.redisKeyPrefix);
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
      o.raw.policy?.geo ?? new HeaderGeoResolver({ trustedProxies: o.trustProxy }),
  },
  AuditSubscriber,
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
  constructor(@Inject(OWNED_REDIS) private readonly ownedRedis: Redis | null) {
    super();
  }

  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return withProviders(super.forRoot(options), options);
  }

  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withProviders(super.forRootAsync(options), options);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownedRedis) await this.ownedRedis.quit().catch(() => this.ownedRedis?.disconnect());
  }
}

function withProviders(definition: DynamicModule, extras: SessionSecurityExtras): DynamicModule {
  const worker = extras.worker ?? true;
  const notifications = { ...extras.notifications, worker: extras.notifications?.worker ?? worker };
  const bulk =
    extras.bulkRevocation === false
      ? null
      : { ...extras.bulkRevocation, worker: extras.bulkRevocation?.worker ?? worker };
  return {
    ...definition,
    imports: [...(definition.imports ?? []), ...notificationImports(notifications)],
    providers: [
      ...(definition.providers ?? []),
      ...coreProviders,
      {
        provide: JOB_RECONCILE_INTERVAL,
        useValue: resolveReconcileInterval(extras.reconcileInterval),
      },
      ...notificationProviders(notifications),
      ...(bulk ? bulkRevocationProviders(bulk) : []),
      ...auditRetentionProviders(extras),
      ...permissionChangeProviders(extras),
      ...(extras.globalGuards !== false ? globalProviders : []),
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
