import type { ArgumentsHost } from '@nestjs/common';
import { firstValueFrom, isObservable } from 'rxjs';
import { QueryFailedError } from 'typeorm';
import { contextOf } from '../../test/support/fake-execution-context.js';
import { HttpErrorFilter } from '../http/http-error.filter.js';
import { SurfaceGraphqlError, errorOnSurface } from '../surfaces/surface-reply.js';
import { DatabaseUnavailableException, isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const host = (type: string, args: unknown[]) => contextOf(type, args) as unknown as ArgumentsHost;
const BODY = {
  statusCode: 503,
  error: 'service_unavailable',
  message: 'The database is unavailable; try again shortly',
};

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['admin shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['a connection exception (class 08)', withCode('08006', 'connection failure')],
    ['too many connections', withCode('53300')],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a QueryFailedError around a driver error',
      new QueryFailedError('SELECT 1', [], withCode('57P01')),
    ],
    ['a cause', new Error('wrapped', { cause: withCode('ECONNRESET') })],
    ['an AggregateError', Object.assign(new AggregateError([withCode('ECONNREFUSED')]), {})],
  ])('recognises %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('23505'))],
    ['a syntax error', withCode('42601')],
    ['a plain error', new Error('boom')],
    ['a non-error', 'Connection terminated'],
    ['null', null],
  ])('leaves %s alone', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('does not loop on a cause cycle', () => {
    const error = new Error('a') as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('a database outage on every surface', () => {
  const outage = withCode('ECONNREFUSED');

  it('HttpErrorFilter answers HTTP 503 with the module body, not 500', () => {
    let sent: [number, unknown] | undefined;
    const response = {
      setHeader: () => undefined,
      status: (code: number) => ({ json: (body: unknown) => void (sent = [code, body]) }),
    };
    new HttpErrorFilter().catch(outage, host('http', [{}, response]));
    expect(sent).toEqual([503, BODY]);
  });

  it('guards turn it into a 503 denial, on GraphQL with extensions.code', () => {
    expect(errorOnSurface(host('http', []), outage)).toBeInstanceOf(DatabaseUnavailableException);
    const graphql = errorOnSurface(host('graphql', []), outage) as SurfaceGraphqlError;
    expect(graphql).toBeInstanceOf(SurfaceGraphqlError);
    expect(graphql.extensions).toEqual({ code: 'service_unavailable', statusCode: 503 });
  });

  it('tells a WebSocket client without closing it, and fails an RPC call with the body', async () => {
    const sent: unknown[] = [];
    const closed: unknown[] = [];
    const client = {
      readyState: 1,
      send: (data: string) => void sent.push(JSON.parse(data)),
      close: (...args: unknown[]) => void closed.push(args),
    };
    new HttpErrorFilter().catch(outage, host('ws', [client]));
    expect(sent).toEqual([{ event: 'error', data: BODY }]);
    expect(closed).toEqual([]);
    const rpc = new HttpErrorFilter().catch(outage, host('rpc', [{}, {}]));
    expect(isObservable(rpc)).toBe(true);
    await expect(firstValueFrom(rpc as never)).rejects.toEqual(BODY);
  });
});
