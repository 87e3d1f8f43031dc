import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ErrorCode } from '../errors/denial-codes.js';
import {
  DatabaseUnavailableException,
  isDatabaseUnavailable,
} from '../errors/database-unavailable.js';
import { SessionSecurityException } from '../errors/session-security.exception.js';
import { replyOnSurface, SurfaceGraphqlError, type ErrorBody } from '../surfaces/surface-reply.js';

const CODES: Record<number, ErrorCode> = {
  401: 'session_required',
  403: 'forbidden',
  404: 'not_found',
  429: 'too_many_attempts',
};

/**
 * App-wide filter that gives every error the module's body shape
 * `{ statusCode, error: CODE, message }`: framework exceptions, body-parser errors (malformed
 * JSON, oversized bodies), a database that cannot be reached (503 `service_unavailable`) and
 * unexpected errors (500, logged, no details leaked). It answers on
 * every surface: HTTP on Express and Fastify, GraphQL, WebSocket and RPC.
 *
 * @example app.useGlobalFilters(new HttpErrorFilter());
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (exception instanceof SurfaceGraphqlError) return exception;
    if (exception instanceof SessionSecurityException) {
      return replyOnSurface(host, exception.getResponse() as ErrorBody, exception.headers);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error)?.message ?? exception}`);
      return replyOnSurface(host, new DatabaseUnavailableException().getResponse() as ErrorBody);
    }
    const status = statusOf(exception);
    if (status >= 500) {
      this.logger.error((exception as Error)?.stack ?? String(exception));
      return replyOnSurface(host, {
        statusCode: 500,
        error: 'internal_error',
        message: 'Internal error',
      });
    }
    return replyOnSurface(host, {
      statusCode: status,
      error: CODES[status] ?? 'invalid_request',
      message: messageOf(exception, status),
    });
  }
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const status =
    (exception as { status?: unknown; statusCode?: unknown })?.status ??
    (exception as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function messageOf(exception: unknown, status: number): string {
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  }
  const type = (exception as { type?: string; code?: string })?.type;
  if (type === 'entity.parse.failed') return 'Malformed JSON body';
  if (type === 'entity.too.large') return 'Request body too large';
  const code = (exception as { code?: string })?.code;
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'Malformed JSON body';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'Request body too large';
  return status === 415 ? 'Unsupported media type' : 'Invalid request';
}
