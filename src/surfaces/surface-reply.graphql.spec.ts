import type { ArgumentsHost } from '@nestjs/common';
import { HttpErrorFilter } from '../http/http-error.filter.js';
import { SessionSecurityExceptionFilter } from '../http/session-security-exception.filter.js';
import {
  ForbiddenException,
  ReauthRequiredException,
} from '../errors/session-security.exception.js';
import { errorOnSurface, SurfaceGraphqlError } from './surface-reply.js';

const host = (type: string) => ({ getType: () => type }) as unknown as ArgumentsHost;

describe('GraphQL denials', () => {
  it('turns a module denial into an error whose extensions carry the denial code', () => {
    const denial = new ReauthRequiredException('stale_authentication', { maxAge: 60_000 });
    const error = errorOnSurface(host('graphql'), denial) as SurfaceGraphqlError;
    expect(error).toBeInstanceOf(SurfaceGraphqlError);
    expect(error.message).toBe(denial.message);
    expect(error.exception).toBe(denial);
    expect(error.extensions).toEqual({
      code: 'reauth_required',
      statusCode: 401,
      reason: 'stale_authentication',
      maxAge: 60_000,
    });
  });

  it('leaves errors on other surfaces, and other errors, as they are', () => {
    const denial = new ForbiddenException();
    expect(errorOnSurface(host('http'), denial)).toBe(denial);
    const other = new TypeError('boom');
    expect(errorOnSurface(host('graphql'), other)).toBe(other);
  });

  it('is passed on unchanged by the module filter and by HttpErrorFilter', () => {
    const error = errorOnSurface(host('graphql'), new ForbiddenException('outside_allowed_hours'));
    expect(new SessionSecurityExceptionFilter().catch(error as never, host('graphql'))).toBe(error);
    expect(new HttpErrorFilter().catch(error, host('graphql'))).toBe(error);
  });
});
