import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { SessionSecurityException } from '../errors/session-security.exception.js';
import { replyOnSurface, type ErrorBody } from '../surfaces/surface-reply.js';

/**
 * Sends every module denial as `{ statusCode, error, message, ... }` with its headers, on the
 * surface it happened on: HTTP (Express or Fastify), GraphQL (`extensions.code`), WebSocket
 * (an error message, and a 4401 close when the session is gone) or RPC (an error reply).
 */
@Catch(SessionSecurityException)
export class SessionSecurityExceptionFilter implements ExceptionFilter {
  catch(exception: SessionSecurityException, host: ArgumentsHost): unknown {
    return replyOnSurface(host, exception.getResponse() as ErrorBody, exception.headers);
  }
}
