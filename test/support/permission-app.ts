import { Controller, Get, type INestApplication, Module, type Type } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import {
  CurrentSession,
  SessionSecurityModule,
  type ActiveSession,
  type SessionSecurityExtras,
  type SessionSecurityModuleOptions,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { TEST_REDIS_URL } from './database.js';
import { startNestApp } from './nest-app.js';

/** `GET /whoami`: 200 with the session's user for a valid session, the module's 401s otherwise. */
@Controller()
export class WhoAmIController {
  @Get('whoami')
  whoami(@CurrentSession() session: ActiveSession) {
    return { userId: session.userId, roles: session.roles };
  }
}

/** A running test app with the module on a DataSource of the test's own. */
export interface PermissionApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  clock: ManualClock;
  close(): Promise<void>;
}

/** The secret test apps share (the CLI children of a test get it too). */
export const TEST_SECRET = randomBytes(32).toString('base64url');

/**
 * The module as a test's own app imports it: the test's DataSource, Redis under its own prefix,
 * a shared secret and a manual clock, plus whatever the test adds.
 */
export function testSessionModule(
  dataSource: DataSource,
  redisKeyPrefix: string,
  clock: ManualClock,
  options: Partial<SessionSecurityModuleOptions> & SessionSecurityExtras = {},
) {
  return SessionSecurityModule.forRoot({
    dataSource,
    secret: TEST_SECRET,
    redis: TEST_REDIS_URL,
    redisKeyPrefix,
    clock,
    ...options,
  });
}

/**
 * Starts a small app: `SessionSecurityModule` on `dataSource` and Redis under `redisKeyPrefix`,
 * the `GET /whoami` route, and whatever module options and extras the test passes.
 */
export async function startPermissionApp(
  dataSource: DataSource,
  redisKeyPrefix: string,
  options: Partial<SessionSecurityModuleOptions> & SessionSecurityExtras = {},
  controllers: Type[] = [WhoAmIController],
): Promise<PermissionApp> {
  const clock = new ManualClock();
  @Module({
    imports: [testSessionModule(dataSource, redisKeyPrefix, clock, options)],
    controllers,
  })
  class PermissionTestModule {}
  const app = await startNestApp(PermissionTestModule, { logger: false, abortOnError: false });
  return { app, http: request(app.getHttpServer()), clock, close: () => app.close() };
}
