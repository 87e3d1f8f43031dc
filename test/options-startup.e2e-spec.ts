import { Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  SessionSecurityModule,
  SessionSecurityOptionsError,
  type SessionSecurityModuleOptions,
} from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';
import { TEST_REDIS_URL, createSchema, openModuleDatabase } from './support/database.js';
import { startNestApp } from './support/nest-app.js';
import { TEST_SECRET, WhoAmIController, startPermissionApp } from './support/permission-app.js';

describe('a bad option stops startup with a message naming it', () => {
  let schema: { name: string; drop(): Promise<void> };
  let dataSource: DataSource;
  const prefix = `test:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    schema = await createSchema('options_startup');
    dataSource = await openModuleDatabase(schema.name);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  /** The problems that stopped the app, or fails when it started. */
  async function startupProblems(options: Partial<SessionSecurityModuleOptions>) {
    const error = await startPermissionApp(dataSource, prefix, options).then(
      async (started) => {
        await started.close();
        return null;
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SessionSecurityOptionsError);
    return (error as SessionSecurityOptionsError).problems;
  }

  it('starts and serves with good options (the control)', async () => {
    const started = await startPermissionApp(dataSource, prefix, {
      freshAuth: { maxAge: '5m' },
      throttle: { window: '15m' },
    });
    try {
      await started.http.get('/whoami').expect(401);
    } finally {
      await started.close();
    }
  });

  it.each([
    [{ freshAuth: { maxAge: '5 mn' } }, /^freshAuth\.maxAge: invalid duration "5 mn"/],
    [{ throttle: { window: '15 mn' } }, /^throttle\.window: invalid duration "15 mn"/],
    [{ session: { idelTimeout: '5m' } }, /^session\.idelTimeout: .*did you mean 'idleTimeout'/],
    [{ redis: 'redis://127.0.0.1:6379/10x' }, /^redis: database '10x'/],
    [{ permissionChanges: { backoffMs: 100 } }, /^permissionChanges\.backoffMs: .*'backoff'/],
    [{ live: { sweepInterval: 0 } }, /^live\.sweepInterval: invalid duration 0/],
    [
      { session: { signals: { country: 'block' } } },
      /^session\.signals\.country: must be 'ignore', 'record', 'step-up' or 'end'/,
    ],
  ])('refuses %j', async (options, message) => {
    expect(await startupProblems(options as never)).toEqual([expect.stringMatching(message)]);
  });

  it('refuses the same from a forRootAsync factory, and a static option it returns', async () => {
    const boot = (factory: () => object) => {
      @Module({
        imports: [
          SessionSecurityModule.forRootAsync({
            useFactory: () =>
              ({
                dataSource,
                secret: TEST_SECRET,
                redis: TEST_REDIS_URL,
                redisKeyPrefix: prefix,
                clock: new ManualClock(),
                ...factory(),
              }) as SessionSecurityModuleOptions,
          }),
        ],
        controllers: [WhoAmIController],
      })
      class AsyncOptionsApp {}
      return startNestApp(AsyncOptionsApp, { logger: false, abortOnError: false }).then(
        async (app) => {
          await app.close();
          return null;
        },
        (caught: unknown) => (caught as SessionSecurityOptionsError).problems,
      );
    };
    expect(await boot(() => ({ throttle: { window: '15 mn' } }))).toEqual([
      expect.stringMatching(/^throttle\.window: invalid duration "15 mn"/),
    ]);
    expect(await boot(() => ({ globalGuards: false }))).toEqual([
      expect.stringMatching(/^globalGuards: a static option — pass it to forRootAsync/),
    ]);
  });

  it('refuses a bad static option when the module is declared', () => {
    expect(() =>
      SessionSecurityModule.forRoot({
        dataSource,
        secret: TEST_SECRET,
        redis: false,
        bulkRevocation: { stalledAfter: '30 sec0' },
      }),
    ).toThrow(/bulkRevocation\.stalledAfter: invalid duration "30 sec0"/);
  });
});
