import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { readConfig, type ExampleConfig } from '../../example/config.js';
import { createExampleApp, initExampleApp } from '../../example/create-app.js';
import { ManualClock } from '../../src/testing/index.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, createSchema } from './database.js';

/** One running instance of the example app. */
export interface ExampleInstance {
  app: INestApplication;
  http: ReturnType<typeof request>;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Settings shared by every instance of one test file: same schema, Redis prefix and secret. */
export interface ExampleEnvironment {
  schema: string;
  redisKeyPrefix: string;
  env?: Record<string, string>;
  redisUrl?: string;
}

export function newEnvironment(
  schema: string,
  env: Record<string, string> = {},
): ExampleEnvironment {
  return { schema, redisKeyPrefix: `test:${randomBytes(4).toString('hex')}:`, env };
}

const SECRET = randomBytes(32).toString('base64url');

/**
 * `HTTP_ADAPTER` of the test run (the `e2e-fastify` jest project sets `fastify`), for configs
 * read from an explicit environment.
 */
export function adapterEnv(): Record<string, string> {
  return process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {};
}

/** Starts an instance of the example app on PostgreSQL and Redis, as `npm start` would. */
export async function startExample(environment: ExampleEnvironment): Promise<ExampleInstance> {
  const config: ExampleConfig = readConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: environment.redisUrl ?? TEST_REDIS_URL,
    SESSION_SECRET: SECRET,
    ...adapterEnv(),
    ...environment.env,
  });
  const clock = new ManualClock();
  const app = await createExampleApp(config, {
    schema: environment.schema,
    redisKeyPrefix: environment.redisKeyPrefix,
    clock,
    logger: false,
  });
  await initExampleApp(app);
  return { app, http: request(app.getHttpServer()), clock, close: () => app.close() };
}

/** A signed-in client: its cookie header and CSRF token. */
export interface Client {
  cookie: string;
  token: string;
  csrf: string;
  sessionId: string;
}

/** Signs in through `POST /auth/login`. */
export async function login(
  instance: ExampleInstance,
  username: string,
  password = `${username}-password`,
): Promise<Client> {
  const response = await instance.http.post('/auth/login').send({ username, password }).expect(200);
  const token = tokenFrom(response.headers['set-cookie']);
  return {
    cookie: `__Host-t=${token}`,
    token,
    csrf: response.body.csrfToken,
    sessionId: response.body.session.id,
  };
}

/** The session token in a `Set-Cookie` header list. */
export function tokenFrom(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const cookie = all.find((c) => c.startsWith('__Host-t=') && !/Max-Age=0/i.test(c));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(all)}`);
  return cookie.slice('__Host-t='.length).split(';')[0];
}

/**
 * Registers `beforeAll` / `afterAll` hooks that give a test file one example instance on a
 * PostgreSQL schema and Redis prefix of its own, and clean both up.
 */
export function exampleSuite(label: string, env: Record<string, string> = {}) {
  const suite = {} as { app: ExampleInstance; schema: string };
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const schema = await createSchema(label);
    drop = schema.drop;
    suite.schema = schema.name;
    suite.app = await startExample(newEnvironment(schema.name, env));
  });
  afterAll(async () => {
    await suite.app?.close();
    await drop?.();
  });
  return suite;
}
