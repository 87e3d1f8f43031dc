import { Controller, Get, Module, Post, Req, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import type { INestApplication } from '@nestjs/common';
import type { Request } from 'express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  Public,
  RequireFreshAuth,
  SessionSecurityModule,
  SessionService,
  setSessionCookie,
} from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';
import { SessionTokenStrategy } from '../src/passport/index.js';
import { openModuleDatabase, TEST_REDIS_URL, createSchema } from './support/database.js';
import { tokenFrom } from './support/example-app.js';
import { startNestApp } from './support/nest-app.js';

@RequireFreshAuth('1h')
@Controller('vault')
class VaultController {
  constructor(private readonly sessions: SessionService) {}

  @Public()
  @Post('login')
  async login(@Req() req: Request) {
    const level = (req.body as { level?: string }).level ?? 'password';
    setSessionCookie(
      req,
      await this.sessions.create({ id: '42', roles: ['member'] }, { authLevel: level }),
    );
    return {};
  }

  @UseGuards(AuthGuard('session-token'))
  @Get('whoami')
  whoami(@Req() req: Request & { user?: unknown }) {
    return req.user ?? null;
  }

  @Get('lenient')
  lenient() {
    return { ok: true };
  }

  @RequireFreshAuth('1m')
  @Get('strict')
  strict() {
    return { ok: true };
  }

  @RequireFreshAuth({ maxAge: '10m', level: 'mfa' })
  @Get('mfa')
  mfa() {
    return { ok: true };
  }
}

describe('@RequireFreshAuth in an app of its own (levels, method over class)', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let app: INestApplication;
  const clock = new ManualClock();

  beforeAll(async () => {
    schema = await createSchema('levels');
    dataSource = await openModuleDatabase(schema.name);
    @Module({
      imports: [
        SessionSecurityModule.forRoot({
          dataSource,
          secret: 'a-test-secret-that-is-long-enough-123',
          redis: TEST_REDIS_URL,
          redisKeyPrefix: `test:levels:${schema.name}:`,
          clock,
          allowBearer: true,
        }),
        PassportModule,
      ],
      controllers: [VaultController],
      providers: [SessionTokenStrategy],
    })
    class VaultModule {}
    app = await startNestApp(VaultModule, { logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await schema?.drop();
  });

  async function signIn(level: string): Promise<string> {
    const response = await request(app.getHttpServer())
      .post('/vault/login')
      .send({ level })
      .expect(201);
    return `__Host-t=${tokenFrom(response.headers['set-cookie'])}`;
  }

  it('exposes the session to passport as request.user and accepts bearer tokens when enabled', async () => {
    const cookie = await signIn('password');
    const viaCookie = await request(app.getHttpServer())
      .get('/vault/whoami')
      .set('Cookie', cookie)
      .expect(200);
    expect(viaCookie.body).toMatchObject({ id: '42', roles: ['member'] });
    const token = cookie.split('=')[1];
    const viaBearer = await request(app.getHttpServer())
      .get('/vault/whoami')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(viaBearer.body.sessionId).toBe(viaCookie.body.sessionId);
    await request(app.getHttpServer())
      .get('/vault/whoami')
      .set('Authorization', 'Bearer nope')
      .expect(401);
  });

  it('lets the method setting beat the class setting', async () => {
    const cookie = await signIn('password');
    clock.advance('2m');
    await request(app.getHttpServer()).get('/vault/lenient').set('Cookie', cookie).expect(200);
    const strict = await request(app.getHttpServer())
      .get('/vault/strict')
      .set('Cookie', cookie)
      .expect(401);
    expect(strict.body).toMatchObject({ error: 'reauth_required', reason: 'stale_authentication' });
  });

  it('refuses a fresh password session where mfa is required', async () => {
    const password = await signIn('password');
    const denied = await request(app.getHttpServer())
      .get('/vault/mfa')
      .set('Cookie', password)
      .expect(401);
    expect(denied.body).toMatchObject({
      error: 'reauth_required',
      reason: 'insufficient_level',
      level: 'mfa',
    });
    expect(denied.headers['www-authenticate']).toContain('insufficient_level');
    const mfa = await signIn('mfa');
    await request(app.getHttpServer()).get('/vault/mfa').set('Cookie', mfa).expect(200);
  });
});
