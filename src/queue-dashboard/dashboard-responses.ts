import type { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { ErrorCode } from '../errors/denial-codes.js';
import { SessionSecurityException } from '../errors/session-security.exception.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Middleware of a read-only dashboard: refuses every unsafe method (403 `forbidden`) before
 * bull-board sees it, so "read-only" never rests on bull-board's per-queue checks alone (its
 * "pause all" / "resume all" routes, for one, answer 200 whatever the mode).
 *
 * @example consumer.apply(guards, refuseChanges, adapter.getRouter()).forRoutes('/admin/queues');
 */
export function refuseChanges(request: Request, _response: Response, next: NextFunction): void {
  assertReadOnly(request.method);
  next();
}

/** Throws 403 `forbidden` "The queue dashboard is read-only" for an unsafe method. */
export function assertReadOnly(method: string): void {
  if (SAFE_METHODS.has(method)) return;
  throw new SessionSecurityException(403, 'forbidden', 'The queue dashboard is read-only');
}

const CODES: Record<number, ErrorCode> = { 403: 'forbidden', 404: 'not_found', 405: 'forbidden' };

/**
 * Middleware that gives bull-board's own error answers (`{error: {key: 'ERRORS.QUEUE_NOT_FOUND'}}`)
 * the module's shape `{statusCode, error, message}`; a 5xx is logged and its details withheld.
 *
 * @example consumer.apply(guards, contractErrors(logger), adapter.getRouter()).forRoutes('/admin/queues');
 */
export function contractErrors(logger: Logger) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const json = response.json.bind(response);
    response.json = (body: unknown) =>
      json(contractBody(response.statusCode, body, logger, `${request.method} ${request.path}`));
    next();
  };
}

/**
 * The module's shape of a dashboard answer: a success or a module error as it is, a bull-board
 * error as `{statusCode, error, message}`, and a 5xx as `internal_error` (logged with `where`).
 *
 * @example reply.send(contractBody(reply.statusCode, body, logger, 'GET /admin/queues/api'));
 */
export function contractBody(
  status: number,
  body: unknown,
  logger: Logger,
  where: string,
): unknown {
  if (status < 400 || isModuleError(body)) return body;
  if (status >= 500) {
    logger.error(`${where}: ${messageOf(body)}`);
    return { statusCode: 500, error: 'internal_error', message: 'Internal error' };
  }
  return {
    statusCode: status,
    error: CODES[status] ?? 'invalid_request',
    message: messageOf(body),
  };
}

/** Already `{statusCode, error: CODE, ...}`, e.g. the app's 404 for a path bull-board does not serve. */
function isModuleError(body: unknown): boolean {
  const candidate = body as { statusCode?: unknown; error?: unknown } | null;
  return typeof candidate?.statusCode === 'number' && typeof candidate.error === 'string';
}

/** `{error: {key: 'ERRORS.INVALID_QUERY_PARAM', options: {field: 'status'}}}` → `Invalid query param (status)`. */
function messageOf(body: unknown): string {
  const error = (body as { error?: { key?: unknown; message?: unknown; options?: unknown } })
    ?.error;
  const key =
    typeof error?.key === 'string' ? error.key.replace(/^ERRORS\./, '') : 'REQUEST_FAILED';
  const text = key.charAt(0) + key.slice(1).toLowerCase().replaceAll('_', ' ');
  const field = (error?.options as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' ? `${text} (${field})` : text;
}
