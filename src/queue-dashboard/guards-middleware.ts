import type { CanActivate, ExecutionContext, Type } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenException } from '../errors/session-security.exception.js';

/**
 * Runs Nest guards, in order, in front of plain Express middleware (which guards never protect
 * on their own): each guard sees an HTTP `ExecutionContext` whose class and handler are `target`
 * and its `handle` method, so the metadata decorators on `target` (`@Can`, `@RequireFreshAuth`,
 * `@Public`...) apply exactly as on a controller. A guard that throws or returns `false` ends
 * the request through Nest's exception filters; otherwise `next()` runs.
 *
 * @example
 * @Can('manage', 'Session') @RequireFreshAuth() class Gate { handle() {} }
 * const middleware = guardsAsMiddleware([sessionGuard, csrfGuard, freshGuard, policyGuard], Gate);
 */
export function guardsAsMiddleware(
  guards: CanActivate[],
  target: Type<{ handle(): void }>,
): (request: Request, response: Response, next: NextFunction) => Promise<void> {
  return async (request, response, next) => {
    await runGuards(guards, httpContext(request, response, next, target));
    next();
  };
}

/** Runs `guards` in order on `context`; a guard that returns `false` is 403 `forbidden`. */
export async function runGuards(guards: CanActivate[], context: ExecutionContext): Promise<void> {
  for (const guard of guards) {
    if (!(await guard.canActivate(context))) throw new ForbiddenException();
  }
}

/**
 * An HTTP `ExecutionContext` (also an `ArgumentsHost` for exception filters) of a request and
 * its response — Express objects, or a Fastify request and reply — whose class and handler are
 * `target` and its `handle` method.
 *
 * @example await runGuards(guards, httpContext(request, reply, undefined, Gate));
 */
export function httpContext(
  request: object,
  response: object,
  next: unknown,
  target: Type<{ handle(): void }>,
): ExecutionContext {
  const args = [request, response, next];
  const http = {
    getRequest: <T>() => request as T,
    getResponse: <T>() => response as T,
    getNext: <T>() => next as T,
  };
  const unsupported = () => {
    throw new Error('not an rpc or ws context');
  };
  return {
    getType: <T extends string = 'http'>() => 'http' as T,
    getClass: <T>() => target as T,
    getHandler: () => target.prototype.handle,
    getArgs: <T extends unknown[]>() => args as T,
    getArgByIndex: <T>(index: number) => args[index] as T,
    switchToHttp: () => http,
    switchToRpc: unsupported,
    switchToWs: unsupported,
  } as ExecutionContext;
}
