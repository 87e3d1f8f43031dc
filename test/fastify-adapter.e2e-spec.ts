import { Controller, type INestApplication, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { initExampleApp } from '../example/create-app.js';
import { Public, SessionSecurityModule, SessionService, setSessionCookie } from '../src/index.js';
import { appendHeader } from '../src/surfaces/http-reply.js';
import { openModuleDatabase, TEST_REDIS_URL, createSchema } from './support/database.js';
import { exampleSuite, login } from './support/example-app.js';

/**
 * What was broken on @nestjs/platform-fastify before the module and the example became
 * adapter-neutral: every guarded request and every login answered 500 (`request.is`,
 * `response.append`, `response.setHeader`, `response.status().json` are Express-only).
 * This file pins Fastify itself, so it proves the same in both jest projects.
 */
describe('the example app on Fastify (HTTP_ADAPTER=fastify)', () => {
  const suite = exampleSuite('fastify', { HTTP_ADAPTER: 'fastify', FRESH_AUTH_MAX_AGE: '5m' });

  it('says which platform it runs on in /health', async () => {
    const health = await suite.app.http.get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', adapter: 'fastify' });
  });

  it('answers a guarded request without a session 401 in the module error shape, not 500', async () => {
    const response = await suite.app.http.get('/me').expect(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'session_required',
      message: expect.any(String),
    });
  });

  it('signs in (passport local), serves the session and signs out with the contract headers', async () => {
    const bob = await login(suite.app, 'bob');
    const me = await suite.app.http.get('/me').set('Cookie', bob.cookie).expect(200);
    expect(me.body.user).toMatchObject({ username: 'bob' });
    expect(me.headers['cache-control']).toBe('no-store');
    const logout = await suite.app.http
      .post('/auth/logout')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .expect(204);
    expect(logout.headers['set-cookie']?.[0]).toMatch(/^__Host-t=;.*Max-Age=0/i);
    expect(logout.headers['clear-site-data']).toContain('"cookies"');
    await suite.app.http.get('/me').set('Cookie', bob.cookie).expect(401);
  });

  it('asks for re-authentication with WWW-Authenticate once authentication is stale', async () => {
    const carol = await login(suite.app, 'carol');
    suite.app.clock.advance('6m');
    const response = await suite.app.http
      .post('/me/password')
      .set('Cookie', carol.cookie)
      .set('X-CSRF-Token', carol.csrf)
      .send({ currentPassword: 'carol-password', newPassword: 'carol-new-password-1' })
      .expect(401);
    expect(response.body).toMatchObject({
      error: 'reauth_required',
      reason: 'stale_authentication',
    });
    expect(response.headers['www-authenticate']).toBeDefined();
  });

  it('refuses a missing CSRF token, a non-JSON body and malformed JSON in the module shape', async () => {
    const bob = await login(suite.app, 'bob');
    const csrf = await suite.app.http
      .patch('/articles/1')
      .set('Cookie', bob.cookie)
      .send({ title: 'no token' })
      .expect(403);
    expect(csrf.body).toMatchObject({ statusCode: 403, error: 'csrf_rejected' });
    const text = await suite.app.http
      .post('/auth/login')
      .set('Content-Type', 'text/plain')
      .send('username=bob')
      .expect(415);
    expect(text.body).toMatchObject({ statusCode: 415, error: 'invalid_request' });
    const malformed = await suite.app.http
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":')
      .expect(400);
    expect(malformed.body).toEqual({
      statusCode: 400,
      error: 'invalid_request',
      message: 'Malformed JSON body',
    });
    const missing = await suite.app.http.get('/nope').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'not_found' });
  });
});

@Controller()
class CookieController {
  constructor(private readonly sessions: SessionService) {}

  @Public()
  @Post('sign-in')
  async signIn(@Req() req: object, @Res({ passthrough: true }) reply: object) {
    appendHeader(reply, 'Set-Cookie', 'theme=dark; Path=/');
    setSessionCookie(req, await this.sessions.create({ id: '7', roles: ['member'] }));
    return { ok: true };
  }
}

describe('several Set-Cookie headers on one Fastify reply', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let app: INestApplication;

  beforeAll(async () => {
    schema = await createSchema('fastify_cookies');
    dataSource = await openModuleDatabase(schema.name);
    @Module({
      imports: [
        SessionSecurityModule.forRoot({
          dataSource,
          secret: 'a-test-secret-that-is-long-enough-456',
          redis: TEST_REDIS_URL,
          redisKeyPrefix: `test:fastify-cookies:${schema.name}:`,
        }),
      ],
      controllers: [CookieController],
    })
    class CookieModule {}
    app = await NestFactory.create(CookieModule, new FastifyAdapter(), { logger: false });
    await initExampleApp(app);
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await schema?.drop();
  });

  it("keeps the app's cookie beside the session cookie the module writes", async () => {
    const response = await request(app.getHttpServer()).post('/sign-in').send({}).expect(201);
    const cookies = response.headers['set-cookie'] as unknown as string[];
    expect(cookies).toHaveLength(2);
    expect(cookies[0]).toBe('theme=dark; Path=/');
    expect(cookies[1]).toMatch(/^__Host-t=[\w-]{43,};.*HttpOnly.*Secure/i);
  });
});
