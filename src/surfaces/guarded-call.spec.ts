import { contextOf } from '../../test/support/fake-execution-context.js';
import { attachHandshake, handshakeOf, resolveCall } from './guarded-call.js';

describe('resolveCall', () => {
  it('reads an Express request: route path, method, peer address, response', () => {
    const request = {
      method: 'patch',
      headers: { cookie: 'a=b' },
      route: { path: '/articles/:id' },
      socket: { remoteAddress: '10.0.0.5' },
    };
    const response = { setHeader() {} };
    const call = resolveCall(contextOf('http', [request, response]));
    expect(call).toMatchObject({
      type: 'http',
      carrier: request,
      request,
      headers: { cookie: 'a=b' },
      method: 'PATCH',
      unsafe: true,
      peerAddress: '10.0.0.5',
      action: 'PATCH /articles/:id',
      response,
    });
  });

  it('reads a Fastify request: routeOptions.url and the raw socket; GET is safe', () => {
    const request = {
      method: 'GET',
      headers: {},
      routeOptions: { url: '/me' },
      raw: { socket: { remoteAddress: '::1' } },
    };
    const call = resolveCall(contextOf('http', [request, { code() {} }]));
    expect(call).toMatchObject({ unsafe: false, peerAddress: '::1', action: 'GET /me' });
  });

  it('falls back to the URL without its query when no route is known', () => {
    const call = resolveCall(contextOf('http', [{ headers: {}, url: '/x/y?token=secret' }]));
    expect(call?.action).toBe('GET /x/y');
  });

  it('returns null for an HTTP context without a request or headers', () => {
    expect(resolveCall(contextOf('http', [undefined]))).toBeNull();
    expect(resolveCall(contextOf('http', [{ method: 'GET' }]))).toBeNull();
  });

  it('reads a GraphQL context: the req, the field, and mutations as unsafe', () => {
    const req = { method: 'POST', headers: { origin: 'https://app' } };
    const info = {
      fieldName: 'renameArticle',
      operation: { operation: 'mutation' },
      parentType: { name: 'Mutation' },
    };
    const call = resolveCall(contextOf('graphql', [{}, { id: 1 }, { req }, info]));
    expect(call).toMatchObject({
      type: 'graphql',
      carrier: req,
      unsafe: true,
      action: 'graphql mutation renameArticle',
    });
    const field = {
      fieldName: 'author',
      operation: { operation: 'query' },
      parentType: { name: 'Article' },
    };
    const query = resolveCall(contextOf('graphql', [{}, {}, { req }, field]));
    expect(query).toMatchObject({ unsafe: false, action: 'graphql query Article.author' });
  });

  it('reads a GraphQL subscription context from graphql-ws (extra.request)', () => {
    const request = { headers: { cookie: 'c=1' } };
    const call = resolveCall(contextOf('graphql', [{}, {}, { extra: { request } }, {}]));
    expect(call?.carrier).toBe(request);
  });

  it('returns null for a GraphQL context without its HTTP request', () => {
    expect(resolveCall(contextOf('graphql', [{}, {}, {}, {}]))).toBeNull();
    expect(resolveCall(contextOf('graphql', [{}, {}, undefined, {}]))).toBeNull();
  });

  it('reads a ws client through the attached handshake, and a socket.io client natively', () => {
    const ws = {};
    const upgrade = { headers: { origin: 'https://app' }, socket: { remoteAddress: '10.1.1.1' } };
    attachHandshake(ws, upgrade);
    expect(handshakeOf(ws)).toBe(upgrade);
    expect(resolveCall(contextOf('ws', [ws, {}, 'whoami']))).toMatchObject({
      type: 'ws',
      carrier: ws,
      request: upgrade,
      peerAddress: '10.1.1.1',
      action: 'ws whoami',
    });
    const io = { handshake: { headers: {} }, request: { headers: { cookie: 'x' } } };
    expect(resolveCall(contextOf('ws', [io, {}, 'hello']))?.headers).toEqual({ cookie: 'x' });
  });

  it('returns null for a WebSocket client without a handshake', () => {
    expect(resolveCall(contextOf('ws', [{}, {}, 'whoami']))).toBeNull();
    expect(resolveCall(contextOf('ws', [undefined, {}, 'whoami']))).toBeNull();
  });

  it('reads an RPC message: the transport context as carrier, its pattern and TCP peer', () => {
    const tcp = {
      getPattern: () => 'report',
      getSocketRef: () => ({ socket: { remoteAddress: '10.2.2.2' } }),
    };
    expect(resolveCall(contextOf('rpc', [{ sessionToken: 't' }, tcp]))).toMatchObject({
      type: 'rpc',
      carrier: tcp,
      request: null,
      headers: {},
      unsafe: true,
      peerAddress: '10.2.2.2',
      action: 'rpc report',
    });
    const data = { n: 1 };
    expect(resolveCall(contextOf('rpc', [data, undefined]))?.carrier).toBe(data);
  });

  it('returns null for any other context type', () => {
    expect(resolveCall(contextOf('kafka-ish', [{ headers: {} }]))).toBeNull();
  });
});
