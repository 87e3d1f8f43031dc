import {
  type DynamicModule,
  Inject,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { CsrfGuard } from '../csrf/csrf.guard.js';
import { SessionSecurityException } from '../errors/session-security.exception.js';
import { FreshAuthGuard } from '../fresh-auth/fresh-auth.guard.js';
import { RequireFreshAuth } from '../fresh-auth/require-fresh-auth.decorator.js';
import { SessionGuard } from '../http/session.guard.js';
import { Can } from '../policy/can.decorator.js';
import { PolicyGuard } from '../policy/policy.guard.js';
import { assertReadOnly, contractErrors, refuseChanges } from './dashboard-responses.js';
import { fastifyDashboardPlugin } from './fastify-dashboard.js';
import { guardsAsMiddleware } from './guards-middleware.js';
import {
  QUEUE_DASHBOARD,
  QueueDashboardRegistrar,
  type QueueDashboardState,
} from './queue-dashboard.registrar.js';

/**
 * Options of {@link QueueDashboardModule.register}.
 *
 * @example QueueDashboardModule.register({ route: 'admin/queues', readOnly: false });
 */
export interface QueueDashboardOptions {
  /** Where the dashboard is served (default `'admin/queues'`; no global prefix is added). */
  route?: string;
  /**
   * Show jobs without retry/clean/pause buttons, and refuse every POST/PUT/PATCH/DELETE under
   * the route with 403 `forbidden` (default `true`).
   */
  readOnly?: boolean;
  /** Policy requirement, as `@Can(action, subject)` (default `manage` on `Session`). */
  can?: { action: string; subject: string };
  /** Fresh-authentication requirement, as `@RequireFreshAuth(...)` (default: the module's). */
  freshAuth?: Parameters<typeof RequireFreshAuth>[0];
}

const ROUTE = Symbol('SESSION_SECURITY_QUEUE_DASHBOARD_ROUTE');
const ACCESS = Symbol('SESSION_SECURITY_QUEUE_DASHBOARD_ACCESS');

/**
 * Opt-in dashboard (bull-board) of the module's Bull queues. bull-board is Express middleware,
 * which Nest guards never see, so the module's own guards run in front of it as middleware:
 * valid session, CSRF on unsafe methods, fresh authentication, and the policy (`manage` on
 * `Session` by default, with its network rules such as "internal only"). Without Redis there
 * are no Bull queues and the route answers 404 `not_found` saying so. Runs on Express and,
 * with `@bull-board/fastify` installed, on Fastify (a plugin under the route, the same guards
 * in a hook). Needs `SessionSecurityModule` imported globally (the default).
 *
 * @example
 * imports: [SessionSecurityModule.forRoot({...}), QueueDashboardModule.register({ route: 'admin/queues' })]
 */
@Module({})
export class QueueDashboardModule implements NestModule {
  constructor(
    @Inject(QUEUE_DASHBOARD)
    private readonly state: QueueDashboardState & { adapter: BoardAdapter },
    @Inject(ROUTE) private readonly route: string,
    @Inject(ACCESS) private readonly access: Type<{ handle(): void }>,
    private readonly sessionGuard: SessionGuard,
    private readonly csrfGuard: CsrfGuard,
    private readonly freshAuthGuard: FreshAuthGuard,
    private readonly policyGuard: PolicyGuard,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  static register(options: QueueDashboardOptions = {}): DynamicModule {
    const route = `/${(options.route ?? 'admin/queues').replace(/^\/+|\/+$/g, '')}`;
    const can = options.can ?? { action: 'manage', subject: 'Session' };
    @Can(can.action, can.subject)
    @RequireFreshAuth(options.freshAuth)
    class QueueDashboardAccess {
      handle(): void {}
    }
    return {
      module: QueueDashboardModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: ROUTE, useValue: route },
        { provide: ACCESS, useValue: QueueDashboardAccess },
        {
          provide: QUEUE_DASHBOARD,
          inject: [HttpAdapterHost],
          useFactory: async (host: HttpAdapterHost) => {
            const adapter = onFastify(host) ? await fastifyBoardAdapter() : new ExpressAdapter();
            adapter.setBasePath(route);
            const board = createBullBoard({
              queues: [],
              serverAdapter: adapter,
              options: { uiConfig: { boardTitle: 'Session security' } },
            });
            return { adapter, board, readOnly: options.readOnly ?? true, queues: [] };
          },
        },
        QueueDashboardRegistrar,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const guards = [this.sessionGuard, this.csrfGuard, this.freshAuthGuard, this.policyGuard];
    const assertAvailable = () => {
      if (this.state.queues.length > 0) return;
      throw new SessionSecurityException(
        404,
        'not_found',
        'The queue dashboard is unavailable: without Redis the module has no Bull queues',
      );
    };
    const logger = new Logger('SessionSecurityQueueDashboard');
    if (onFastify(this.adapterHost)) {
      const check = (method: string) => {
        assertAvailable();
        if (this.state.readOnly) assertReadOnly(method);
      };
      const gate = { guards, target: this.access, check, logger };
      const plugin = fastifyDashboardPlugin(this.state.adapter.registerPlugin!(), gate);
      const fastify = this.adapterHost.httpAdapter.getInstance<FastifyRegistrar>();
      void fastify.register(plugin, { prefix: this.route });
      return;
    }
    const available = (_request: Request, _response: Response, next: NextFunction) => {
      assertAvailable();
      next();
    };
    consumer
      .apply(
        guardsAsMiddleware(guards, this.access),
        available,
        ...(this.state.readOnly ? [refuseChanges] : []),
        contractErrors(logger),
        this.state.adapter.getRouter!(),
      )
      .forRoutes(this.route);
  }
}

/** bull-board's server adapter: Express (`getRouter`) or Fastify (`registerPlugin`). */
interface BoardAdapter {
  setBasePath(path: string): unknown;
  getRouter?: () => (request: Request, response: Response, next: NextFunction) => void;
  registerPlugin?: () => unknown;
}

interface FastifyRegistrar {
  register(plugin: unknown, options: { prefix: string }): unknown;
}

function onFastify(host: HttpAdapterHost): boolean {
  return host.httpAdapter?.getType() === 'fastify';
}

async function fastifyBoardAdapter() {
  try {
    const { FastifyAdapter } = await import('@bull-board/fastify');
    return new FastifyAdapter();
  } catch (error) {
    throw new Error(
      `QueueDashboardModule on Fastify needs the package @bull-board/fastify (install it ` +
        `beside @bull-board/api): ${(error as Error).message}`,
      { cause: error },
    );
  }
}
