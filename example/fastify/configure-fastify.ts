import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpErrorFilter, InvalidRequestException } from '../../src/index.js';
import { PAGE_CSP, isPagePath } from '../create-app.js';
import { PAGES } from '../pages/pages.middleware.js';
import { webRoot } from '../pages/web-root.js';
import { requestProblem } from '../refuse-nul.js';
import { jsonBodyParser } from './json-body.parser.js';

/** Largest JSON body the example accepts, as on Express (`16kb`). */
export const BODY_LIMIT = 16 * 1024;

type HelmetReply = FastifyReply & { helmet(options?: object): void };

/**
 * The example's HTTP hardening on Fastify, the same as `configureHttp` gives Express: helmet
 * (the strict page CSP on the pages and assets, helmet's defaults elsewhere), the pages and
 * assets (no range requests, no folder redirects), JSON-only bodies up to 16 kB parsed like
 * Express's body parser, no NUL characters in URLs and bodies nor absurdly nested bodies, and the module's error shape.
 */
export async function configureFastify(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(fastifyHelmet, { global: false });
  const pageHelmet = { contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP } };
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    (reply as HelmetReply).helmet(isPagePath(pathOf(request.url)) ? pageHelmet : undefined);
  });
  const assets = `${webRoot()}/assets`;
  await fastify.register(fastifyStatic, { root: assets, serve: false });
  fastify.get('/assets/*', (request, reply) => {
    const path = (request.params as { '*'?: string })['*'] ?? '';
    // Folders, dotfiles and paths that climb out answer the API's 404, as on Express.
    if (!path || path.endsWith('/') || path.split('/').some((part) => part.startsWith('.'))) {
      return reply.callNotFound();
    }
    return reply.sendFile(path, assets, { acceptRanges: false, maxAge: 0 });
  });
  for (const [path, file] of Object.entries(PAGES)) {
    fastify.get(path, (request, reply) => {
      // The router ignores trailing slashes; a page is only served at its exact path.
      if (pathOf(request.url) !== path) return reply.callNotFound();
      return reply
        .header('Cache-Control', 'no-cache')
        .sendFile(file, webRoot(), { acceptRanges: false, cacheControl: false });
    });
  }
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser);
  // Other bodies stay unread, as on Express: the CSRF guard answers them 415.
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  fastify.addHook('preValidation', async (request: FastifyRequest) => {
    const problem = requestProblem(request.url, request.body);
    if (problem) throw new InvalidRequestException(problem);
  });
  app.useGlobalFilters(new HttpErrorFilter());
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
