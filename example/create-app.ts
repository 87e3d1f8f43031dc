import { type DynamicModule, type INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { HttpErrorFilter } from '../src/index.js';
import { answerClientErrorsAsJson } from '../src/surfaces/index.js';
import { SessionWsAdapter } from '../src/websocket/index.js';
import { ExampleAppModule, ExampleRuntime } from './app.module.js';
import { ExampleConfig, exampleSecret, type HttpAdapterName } from './config.js';
import { openExampleDatabase } from './data-source.js';
import { seed } from './seed.js';
import { refuseNul } from './refuse-nul.js';
import { servePages } from './pages/pages.middleware.js';
import { webRoot } from './pages/web-root.js';

/** Options for building the app; tests pass a schema, a key prefix and a clock. */
export interface CreateExampleAppOptions {
  schema?: string;
  redisKeyPrefix?: string;
  clock?: ExampleRuntime['clock'];
  logger?: LoggerService | false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose'>;
}

/**
 * Builds the example app exactly as `npm start` runs it: database migrated and seeded, the shared
 * Redis of `REDIS_URL` (degraded until it answers; single-instance mode only with
 * `REDIS_URL=off`), helmet, JSON-only bodies, the module's error shape.
 */
export async function createExampleApp(
  config: ExampleConfig,
  options: CreateExampleAppOptions = {},
): Promise<INestApplication> {
  const dataSource = await openExampleDatabase(config, options.schema);
  await seed(dataSource);
  const module = ExampleAppModule.register({
    config: { ...config, secret: exampleSecret(config) },
    dataSource,
    redis: config.redisUrl ?? false,
    redisKeyPrefix: options.redisKeyPrefix,
    clock: options.clock,
  });
  const app = await createHttpApp(module, config.httpAdapter, options.logger).catch(
    async (error: unknown) => {
      await dataSource.destroy();
      throw error;
    },
  );
  app.useWebSocketAdapter(new SessionWsAdapter(app));
  answerClientErrorsAsJson(app.getHttpServer());
  app.enableShutdownHooks();
  return app;
}

/**
 * Creates the Nest app of `module` on the chosen platform (`HTTP_ADAPTER`) with the example's
 * HTTP hardening ({@link configureHttp} on Express, `configureFastify` on Fastify).
 *
 * @example const app = await createHttpApp(ExampleAppModule.register(runtime), 'fastify');
 */
export async function createHttpApp(
  module: DynamicModule,
  adapter: HttpAdapterName,
  logger: CreateExampleAppOptions['logger'] = ['error', 'warn'],
): Promise<INestApplication> {
  const options = { logger, bodyParser: false, abortOnError: false };
  if (adapter === 'fastify') {
    // Loaded only when asked for, so an Express app needs none of the Fastify packages.
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const { BODY_LIMIT, configureFastify } = await import('./fastify/configure-fastify.js');
    // Routes match with or without a trailing slash, as Express's non-strict router does.
    const platform = new FastifyAdapter({
      bodyLimit: BODY_LIMIT,
      trustProxy: false,
      routerOptions: { ignoreTrailingSlash: true },
    });
    const app = await NestFactory.create<NestFastifyApplication>(module, platform, options);
    await configureFastify(app);
    return app;
  }
  const app = await NestFactory.create<NestExpressApplication>(module, options);
  configureHttp(app);
  return app;
}

/**
 * Initialises the app and, on Fastify, waits until its plugins and routes are loaded, so a
 * test client (supertest on `getHttpServer()`) can send requests without `listen()`.
 *
 * @example const app = await createExampleApp(config); await initExampleApp(app);
 */
export async function initExampleApp(app: INestApplication): Promise<INestApplication> {
  await app.init();
  const instance = app.getHttpAdapter().getInstance() as { ready?: () => PromiseLike<unknown> };
  if (app.getHttpAdapter().getType() === 'fastify') await instance.ready?.();
  return app;
}

/**
 * Content-Security-Policy of the pages (`/`, `/app/*`, `/assets/*`): scripts, styles and
 * requests from this origin only, no inline code or `eval`, no plugins, no `<base>`, no framing,
 * forms posting only here, and DOM sinks such as `innerHTML` refused (Trusted Types, with no
 * policy allowed to unlock them).
 *
 * @example helmet({ contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP } })
 */
export const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  requireTrustedTypesFor: ["'script'"],
  trustedTypes: ["'none'"],
};

/**
 * Whether a request path is one of the example's pages or their assets.
 *
 * @example isPagePath('/app/security') // true; isPagePath('/me/sessions') // false
 */
export function isPagePath(path: string): boolean {
  return path === '/' || path.startsWith('/app/') || path.startsWith('/assets/');
}

/**
 * The example's HTTP hardening: no proxy trust at the Express level (the module resolves client
 * IPs), flat query strings, helmet (the strict {@link PAGE_CSP} on the pages, helmet's defaults
 * on everything else), the pages, JSON bodies up to 16 kB, no NUL characters in URLs and bodies,
 * and the module's error shape.
 */
export function configureHttp(app: NestExpressApplication): void {
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  const api = helmet();
  const pages = helmet({ contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP } });
  const headers: RequestHandler = (request, response, next) =>
    (isPagePath(request.path) ? pages : api)(request, response, next);
  app.use(headers);
  app.use(servePages());
  // Passed on to serve-static, whose `acceptRanges` Nest's option type does not list.
  const assets = { prefix: '/assets/', index: false, redirect: false, acceptRanges: false };
  app.useStaticAssets(`${webRoot()}/assets`, { ...assets, maxAge: 0 });
  app.useBodyParser('json', { limit: '16kb' });
  app.use(refuseNul());
  app.useGlobalFilters(new HttpErrorFilter());
}
