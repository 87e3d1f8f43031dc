import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type BulkRevocationOptions,
  Clock,
  parseDuration,
  type RedisSource,
  SessionSecurityModule,
} from '../src/index.js';
import { QueueDashboardModule } from '../src/queue-dashboard/index.js';
import { AdminAuditController } from './admin/admin-audit.controller.js';
import { AdminPolicyController } from './admin/admin-policy.controller.js';
import { AdminSessionRevocationsController } from './admin/admin-session-revocations.controller.js';
import { AdminUsersController } from './admin/admin-users.controller.js';
import { ArticlesController } from './articles/articles.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { ReauthController } from './auth/reauth.controller.js';
import { PasswordController } from './me/password.controller.js';
import type { ExampleConfig } from './config.js';
import { HealthController } from './health/health.controller.js';
import { ExampleGraphqlModule } from './graphql/example-graphql.module.js';
import { MeController } from './me/me.controller.js';
import { NotificationsController } from './me/notifications.controller.js';
import { UsersService } from './users/users.service.js';
import { ArticleLoader } from './articles/article.loader.js';
import { builtInPolicy } from './policy.js';
import { LiveGateway } from './live/live.gateway.js';
import { MeEventsController } from './live/me-events.controller.js';

/** What the example app runs on: an open database, Redis (or `false`) and optionally a clock. */
export interface ExampleRuntime {
  config: ExampleConfig;
  dataSource: DataSource;
  redis: RedisSource | false;
  redisKeyPrefix?: string;
  clock?: Clock;
  /** Process the module's Bull jobs in this process (default `config.worker`, i.e. `true`). */
  worker?: boolean;
  /** Bulk revocation settings (batch size, retries, a queue-specific `worker`). */
  bulkRevocation?: BulkRevocationOptions;
}

/** Holds the example's user store and database; closes the database when the app stops. */
@Module({})
export class UsersModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Module({})
export class ExampleAppModule {
  static register(runtime: ExampleRuntime): DynamicModule {
    const { config } = runtime;
    const users: DynamicModule = {
      module: UsersModule,
      providers: [{ provide: DataSource, useValue: runtime.dataSource }, UsersService],
      exports: [DataSource, UsersService],
    };
    return {
      module: ExampleAppModule,
      imports: [
        users,
        SessionSecurityModule.forRootAsync({
          worker: runtime.worker ?? config.worker,
          reconcileInterval: config.jobReconcileInterval,
          bulkRevocation: {
            batchSize: config.revocationBatchSize,
            stalledAfter: config.jobStalledAfter
              ? parseDuration(config.jobStalledAfter, 'SESSION_JOB_STALLED_AFTER')
              : undefined,
            ...runtime.bulkRevocation,
          },
          imports: [users],
          inject: [UsersService],
          useFactory: (users: UsersService) => ({
            dataSource: runtime.dataSource,
            secret: config.secret,
            redis: runtime.redis,
            redisKeyPrefix: runtime.redisKeyPrefix,
            clock: runtime.clock,
            users,
            trustProxy: config.trustProxy,
            session: {
              idleTimeout: config.idleTimeout,
              absoluteTimeout: config.absoluteTimeout,
              limit: config.maxSessionsPerUser
                ? { maxSessions: config.maxSessionsPerUser, policy: config.sessionLimitPolicy }
                : undefined,
              signals: config.signals,
            },
            freshAuth: { maxAge: config.freshAuthMaxAge },
            throttle: { maxAttempts: config.loginMaxAttempts },
            live: { sweepInterval: config.liveSweepInterval },
            policy: {
              ...(config.policyFile
                ? { file: config.policyFile, watch: config.policyWatch }
                : { document: builtInPolicy }),
              ...(config.decisionLogRate ? { decisionLog: { rate: config.decisionLogRate } } : {}),
            },
          }),
        }),
        // bull-board behind the module's guards (admin, fresh auth, internal network).
        QueueDashboardModule.register({ route: 'admin/queues' }),
        ExampleGraphqlModule.register(users),
      ],
      controllers: [
        AuthController,
        ReauthController,
        MeController,
        NotificationsController,
        PasswordController,
        ArticlesController,
        HealthController,
        AdminUsersController,
        AdminAuditController,
        AdminPolicyController,
        AdminSessionRevocationsController,
        MeEventsController,
      ],
      providers: [ArticleLoader, LiveGateway],
    };
  }
}
