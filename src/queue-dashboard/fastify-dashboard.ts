import { type CanActivate, type Logger, NotFoundException, type Type } from '@nestjs/common';
import { HttpErrorFilter } from '../http/http-error.filter.js';
import { contractBody } from './dashboard-responses.js';
import { httpContext, runGuards } from './guards-middleware.js';

/** The parts of a Fastify instance, request and reply the dashboard plugin uses. */
interface FastifyScope {
  addHook(name: string, hook: (...args: never[]) => unknown): unknown;
  setNotFoundHandler(handler: (request: FastifyCall, reply: FastifyAnswer) => unknown): unknown;
  register(plugin: unknown, options?: object): unknown;
}
interface FastifyCall {
  method: string;
  url: string;
}
interface FastifyAnswer {
  statusCode: number;
  sent: boolean;
}

/** What {@link fastifyDashboardPlugin} puts in front of bull-board. */
export interface FastifyDashboardGate {
  /** The module's guards, run as on a controller whose class and handler are `target`'s. */
  guards: CanActivate[];
  target: Type<{ handle(): void }>;
  /** Throws when the dashboard cannot serve this request (no queues, read-only...). */
  check(method: string): void;
  logger: Logger;
}

const GATED = Symbol('session-security.queue-dashboard.gated');

/**
 * A Fastify plugin (register it with the dashboard's route as `prefix`) serving bull-board's
 * plugin behind the module's guards: every request under the prefix — bull-board's routes and
 * the paths it does not serve — passes the guards and `check` first, a denial is answered by
 * {@link HttpErrorFilter} in the module's shape, and bull-board's own error answers are
 * rewritten to `{statusCode, error, message}` (5xx logged, details withheld).
 *
 * @example fastify.register(fastifyDashboardPlugin(adapter.registerPlugin(), gate), { prefix: '/admin/queues' });
 */
export function fastifyDashboardPlugin(board: unknown, gate: FastifyDashboardGate) {
  const filter = new HttpErrorFilter();
  const pass = async (request: FastifyCall, reply: FastifyAnswer): Promise<boolean> => {
    const marked = request as FastifyCall & { [GATED]?: boolean };
    if (marked[GATED]) return true;
    marked[GATED] = true;
    const context = httpContext(request, reply, undefined, gate.target);
    try {
      await runGuards(gate.guards, context);
      gate.check(request.method);
      return true;
    } catch (error) {
      filter.catch(error, context);
      return false;
    }
  };
  return async (fastify: FastifyScope): Promise<void> => {
    fastify.addHook('preHandler', async (request: FastifyCall, reply: FastifyAnswer) => {
      if (!(await pass(request, reply))) return reply;
    });
    fastify.addHook('onSend', async (request: FastifyCall, reply: FastifyAnswer, payload: never) =>
      rewrite(reply.statusCode, payload, gate.logger, `${request.method} ${request.url}`),
    );
    fastify.setNotFoundHandler(async (request, reply) => {
      if (!(await pass(request, reply)) || reply.sent) return reply;
      const notFound = new NotFoundException(`Cannot ${request.method} ${request.url}`);
      filter.catch(notFound, httpContext(request, reply, undefined, gate.target));
      return reply;
    });
    await fastify.register(board);
  };
}

function rewrite(status: number, payload: unknown, logger: Logger, where: string): unknown {
  if (status < 400 || typeof payload !== 'string') return payload;
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return payload;
  }
  return JSON.stringify(contractBody(status, body, logger, where));
}
