import type { ArgumentsHost } from '@nestjs/common';
import { firstValueFrom, isObservable } from 'rxjs';
import { contextOf } from '../../test/support/fake-execution-context.js';
import {
  SurfaceGraphqlError,
  WS_CLOSE_UNAUTHORIZED,
  endsConnection,
  replyOnSurface,
  type ErrorBody,
} from './surface-reply.js';

const host = (type: string, args: unknown[]) => contextOf(type, args) as unknown as ArgumentsHost;
const revoked: ErrorBody = {
  statusCode: 401,
  error: 'session_revoked',
  message: 'Session revoked',
};
const forbidden: ErrorBody = { statusCode: 403, error: 'forbidden', message: 'Forbidden' };

/** A ws-library client recording what it was sent and how it was closed. */
function wsClient(readyState = 1) {
  const sent: unknown[] = [];
  const closed: unknown[] = [];
  return {
    sent,
    closed,
    client: {
      readyState,
      send: (data: string) => void sent.push(JSON.parse(data)),
      close: (code?: number, reason?: string) => void closed.push([code, reason]),
    },
  };
}

describe('replyOnSurface', () => {
  it('answers HTTP with the status, the headers and the JSON body', () => {
    const headers: Record<string, string> = {};
    let answered: unknown;
    const response = {
      setHeader: (name: string, value: string) => void (headers[name] = value),
      status: (status: number) => ({ json: (body: unknown) => void (answered = [status, body]) }),
    };
    const result = replyOnSurface(host('http', [{}, response]), revoked, {
      'WWW-Authenticate': 'Session',
    });
    expect(result).toBeUndefined();
    expect(headers).toEqual({ 'WWW-Authenticate': 'Session' });
    expect(answered).toEqual([401, revoked]);
  });

  it('returns a GraphQL error whose extensions carry the code, status and reason only', () => {
    const body = { ...revoked, error: 'reauth_required', reason: 'stale_authentication' };
    const error = replyOnSurface(host('graphql', [{}, {}, {}, {}]), body);
    expect(error).toBeInstanceOf(SurfaceGraphqlError);
    expect((error as SurfaceGraphqlError).message).toBe('Session revoked');
    expect((error as SurfaceGraphqlError).extensions).toEqual({
      code: 'reauth_required',
      statusCode: 401,
      reason: 'stale_authentication',
    });
  });

  it('tells a ws client why and closes with 4401 when the session is gone', () => {
    const { client, sent, closed } = wsClient();
    replyOnSurface(host('ws', [client]), revoked);
    expect(sent).toEqual([{ event: 'error', data: revoked }]);
    expect(closed).toEqual([[WS_CLOSE_UNAUTHORIZED, 'session_revoked']]);
  });

  it('keeps a ws connection open on a denial that does not end the session', () => {
    const { client, sent, closed } = wsClient();
    replyOnSurface(host('ws', [client]), forbidden);
    expect(sent).toEqual([{ event: 'error', data: forbidden }]);
    expect(closed).toEqual([]);
  });

  it('sends nothing to a ws client that is no longer open', () => {
    const { client, sent, closed } = wsClient(3);
    replyOnSurface(host('ws', [client]), revoked);
    expect(sent).toEqual([]);
    expect(closed).toEqual([]);
  });

  it('emits an exception to a socket.io client and disconnects it when the session is gone', () => {
    const events: unknown[] = [];
    let disconnected = false;
    const io = {
      emit: (event: string, data: unknown) => void events.push([event, data]),
      disconnect: () => void (disconnected = true),
    };
    replyOnSurface(host('ws', [io]), revoked);
    expect(events).toEqual([['exception', revoked]]);
    expect(disconnected).toBe(true);
  });

  it('returns an error Observable carrying the body for RPC (and unknown surfaces)', async () => {
    for (const type of ['rpc', 'kafka-ish']) {
      const result = replyOnSurface(host(type, [{}, {}]), forbidden);
      expect(isObservable(result)).toBe(true);
      await expect(firstValueFrom(result as never)).rejects.toEqual(forbidden);
    }
  });
});

describe('endsConnection', () => {
  it('is true for a gone session and a permission change, false for other denials', () => {
    for (const error of ['session_required', 'session_expired', 'session_revoked']) {
      expect(endsConnection({ error })).toBe(true);
    }
    expect(endsConnection({ error: 'reauth_required', reason: 'permissions_changed' })).toBe(true);
    expect(endsConnection({ error: 'reauth_required', reason: 'stale_authentication' })).toBe(
      false,
    );
    expect(endsConnection({ error: 'forbidden' })).toBe(false);
    expect(endsConnection({ error: 'csrf_rejected' })).toBe(false);
  });
});
