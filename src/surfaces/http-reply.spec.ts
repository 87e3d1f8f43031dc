import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import request from 'supertest';
import { appendHeader, headersSent, sendJson, setHeader } from './http-reply.js';

function nodeResponse(): ServerResponse & { written: string[] } {
  const response = new ServerResponse(new IncomingMessage(new Socket())) as ServerResponse & {
    written: string[];
  };
  response.written = [];
  response.end = ((chunk: string) => {
    response.written.push(chunk);
    return response;
  }) as unknown as typeof response.end;
  return response;
}

describe('adapter-neutral response writes', () => {
  it('answers JSON with several Set-Cookie values and headers on a Fastify reply', async () => {
    const app = Fastify();
    app.get('/', (_request, reply) => {
      appendHeader(reply, 'Set-Cookie', 'a=1');
      appendHeader(reply, 'Set-Cookie', 'b=2');
      setHeader(reply, 'Cache-Control', 'no-store');
      sendJson(reply, 401, { error: 'session_required' });
      return reply;
    });
    await app.ready();
    const response = await request(app.server).get('/').expect(401);
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ error: 'session_required' });
    await app.close();
  });

  it('does the same on an Express response', async () => {
    const app = express();
    app.get('/', (_request, response) => {
      appendHeader(response, 'Set-Cookie', 'a=1');
      appendHeader(response, 'Set-Cookie', 'b=2');
      sendJson(response, 403, { error: 'forbidden' });
    });
    const response = await request(app).get('/').expect(403);
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.body).toEqual({ error: 'forbidden' });
  });

  it('answers on a bare Node response, as a middleware filter on Fastify gets it', () => {
    const response = nodeResponse();
    appendHeader(response, 'Set-Cookie', 'a=1');
    appendHeader(response, 'Set-Cookie', 'b=2');
    sendJson(response, 404, { error: 'not_found' });
    expect(response.statusCode).toBe(404);
    expect(response.getHeader('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(response.getHeader('content-type')).toMatch(/^application\/json/);
    expect(response.written).toEqual([JSON.stringify({ error: 'not_found' })]);
  });

  it('writes nothing once the headers are on the wire (a started stream)', () => {
    const response = nodeResponse();
    Object.defineProperty(response, 'headersSent', { value: true });
    expect(headersSent(response)).toBe(true);
    setHeader(response, 'Cache-Control', 'no-store');
    sendJson(response, 500, { error: 'internal_error' });
    expect(response.getHeader('cache-control')).toBeUndefined();
    expect(response.written).toEqual([]);
  });
});
