import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { SessionSecurityException } from '../errors/session-security.exception.js';

/** Sends every module denial as `{ statusCode, error, message, ... }` with its headers. */
@Catch(SessionSecurityException)
export class SessionSecurityExceptionFilter implements ExceptionFilter {
  catch(exception: SessionSecurityException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
    response.status(exception.getStatus()).json(exception.getResponse());
  }
}
