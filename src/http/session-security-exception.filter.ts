import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { SessionSecurityException } from '../errors/session-security.exception.js';
import { replyOnSurface, SurfaceGraphqlError, type ErrorBody } from '../surfaces/surface-reply.js';

/**
 * Sends every module denial as `{ statusCode, error, message, ... }` with its headers, on the
 * surface it happened on: HTTP (Express or Fastify), GraphQL (`extensions.code`), WebSocket
 * (an error message, and a 4401 close when the session is gone) or RPC (an error reply). A
 * GraphQL denial a guard already shaped ({@link SurfaceGraphqlError}) is passed on as it is.
 */
@Catch(SessionSecurityException, SurfaceGraphqlError)
export class SessionSecurityExceptionFilter implements ExceptionFilter {
  catch(exception: SessionSecurityException | SurfaceGraphqlError, host: ArgumentsHost): unknown {
    if (exception instanceof SurfaceGraphqlError) return exception;
    return replyOnSurface(host, exception.getResponse() as ErrorBody, exception.headers);
  }
}
