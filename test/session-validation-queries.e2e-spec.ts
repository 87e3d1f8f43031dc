import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SESSION_SECURITY_REDIS } from '../src/common/tokens.js';
import type { RedisClient } from '../src/common/redis-clients.js';
import { SessionService } from '../src/index.js';
import { SessionEntity } from '../src/session/session.entity.js';
import { generateToken, hashToken } from '../src/session/session-token.js';
import { createSchema, openModuleDatabase } from './support/database.js';
import { startPermissionApp, type PermissionApp } from './support/permission-app.js';

/** Statements on the tables a validation may read: the session row, markers, the user's state. */
const SESSION_STATE = /"ss_(session|session_user_state|revocation_marker)"/;

/** Records every statement the DataSource runs on the session state tables, from now on. */
function countStatements(dataSource: DataSource): { statements: string[] } {
  const seen = { statements: [] as string[] };
  const logger = dataSource.logger;
  const counting = new Proxy(logger, {
    get(target, key, receiver) {
      if (key !== 'logQuery') return Reflect.get(target, key, receiver);
      return (query: string, ...rest: unknown[]) => {
        if (SESSION_STATE.test(query)) seen.statements.push(query);
        return (target.logQuery as (...args: unknown[]) => unknown).call(target, query, ...rest);
      };
    },
  });
  Object.defineProperty(dataSource, 'logger', { value: counting, configurable: true });
  return seen;
}

describe('round trips of a validation (the request path)', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let started: PermissionApp;
  let counted: { statements: string[] };

  beforeAll(async () => {
    schema = await createSchema('validation_queries');
    dataSource = await openModuleDatabase(schema.name);
    started = await startPermissionApp(dataSource, prefix);
    counted = countStatements(dataSource);
  });

  afterAll(async () => {
    await started?.close();
    await dataSource?.destroy();
    await schema?.drop();
  });

  it('reads nothing from the database for a session the shared cache holds', async () => {
    const sessions = started.app.get(SessionService);
    const { token } = await sessions.create({ id: 'u-cached', roles: ['editor'] });
    counted.statements.length = 0;

    const result = await sessions.validate(token);
    expect(result).toMatchObject({ ok: true, session: { userId: 'u-cached' } });
    expect(counted.statements).toEqual([]);
  });

  it('reads the row, the markers and the user state once for a session not cached yet', async () => {
    const sessions = started.app.get(SessionService);
    const token = generateToken();
    const now = started.clock.now();
    await dataSource.getRepository(SessionEntity).insert({
      id: randomUUID(),
      tokenHash: hashToken(token),
      userId: 'u-uncached',
      tenantId: null,
      roles: ['editor'],
      authzVersion: 0,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + 60_000,
      absoluteExpiresAt: now + 3_600_000,
      authenticatedAt: now,
      authLevel: 'password',
      ip: null,
      userAgent: null,
      data: {},
      revokedAt: null,
      revokedReason: null,
      reauthRequiredAt: null,
    });
    counted.statements.length = 0;

    expect(await sessions.validate(token)).toMatchObject({ ok: true });
    expect(counted.statements).toHaveLength(3);
    expect(counted.statements.filter((q) => q.includes('"ss_session"'))).toHaveLength(1);

    // Filled on the way: the next validation is served by the cache alone.
    counted.statements.length = 0;
    expect(await sessions.validate(token)).toMatchObject({ ok: true });
    expect(counted.statements).toEqual([]);
  });

  it('judges theft signals against the cached session: no statement and no extra Redis command when the client is the one the session was issued to', async () => {
    const sessions = started.app.get(SessionService);
    const from = { ip: '203.0.113.10', userAgent: FIREFOX, country: 'DE' };
    const { token } = await sessions.create({ id: 'u-signals', roles: ['editor'] }, from);
    const redis = started.app.get<RedisClient>(SESSION_SECURITY_REDIS);
    const commands = countCommands(redis);

    expect(await sessions.validate(token)).toMatchObject({ ok: true, reauth: null });
    const unjudged = commands.names.length;
    expect(unjudged).toBeGreaterThan(0); // the cache lookup itself
    counted.statements.length = 0;
    commands.names.length = 0;
    expect(await sessions.validate(token, from)).toMatchObject({ ok: true, reauth: null });
    expect(counted.statements).toEqual([]);
    expect(commands.names).toHaveLength(unjudged);

    // The counters see a decision: a new network is recorded in the row.
    expect(await sessions.validate(token, { ...from, ip: '198.51.100.1' })).toMatchObject({
      ok: true,
    });
    expect(counted.statements.filter((q) => q.startsWith('UPDATE'))).toHaveLength(1);
    commands.stop();
  });
});

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** Records the name of every command `redis` sends until `stop()`. */
function countCommands(redis: RedisClient): { names: string[]; stop(): void } {
  const client = redis as unknown as { sendCommand(command: { name: string }): unknown };
  const original = client.sendCommand;
  const names: string[] = [];
  client.sendCommand = function (command) {
    names.push(command.name);
    return original.call(this, command);
  };
  return { names, stop: () => void (client.sendCommand = original) };
}
