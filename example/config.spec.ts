import { readConfig } from './config.js';

describe('example config: SESSION_WORKER', () => {
  it('processes jobs in the HTTP app unless told otherwise', () => {
    expect(readConfig({}).worker).toBe(true);
    expect(readConfig({ SESSION_WORKER: 'true' }).worker).toBe(true);
  });

  it('runs the HTTP app without a worker with SESSION_WORKER=false (or 0)', () => {
    expect(readConfig({ SESSION_WORKER: 'false' }).worker).toBe(false);
    expect(readConfig({ SESSION_WORKER: '0' }).worker).toBe(false);
  });

  it('refuses any other value, naming the variable', () => {
    expect(() => readConfig({ SESSION_WORKER: 'maybe' })).toThrow(
      "SESSION_WORKER: must be true or false, got 'maybe'",
    );
  });
});

describe('example config: bulk revocation knobs', () => {
  it('leaves the module defaults unless set', () => {
    expect(readConfig({})).toMatchObject({
      revocationBatchSize: undefined,
      jobStalledAfter: undefined,
      jobReconcileInterval: undefined,
    });
  });

  it('reads a batch size and a stalled-job duration', () => {
    expect(
      readConfig({ SESSION_REVOCATION_BATCH_SIZE: '250', SESSION_JOB_STALLED_AFTER: '5s' }),
    ).toMatchObject({ revocationBatchSize: 250, jobStalledAfter: '5s' });
    expect(readConfig({ SESSION_JOB_RECONCILE_INTERVAL: '2s' }).jobReconcileInterval).toBe('2s');
  });

  it.each([
    [{ SESSION_REVOCATION_BATCH_SIZE: '0' }, 'SESSION_REVOCATION_BATCH_SIZE'],
    [{ SESSION_REVOCATION_BATCH_SIZE: 'many' }, 'SESSION_REVOCATION_BATCH_SIZE'],
    [{ SESSION_JOB_STALLED_AFTER: 'soon' }, 'SESSION_JOB_STALLED_AFTER'],
    [{ SESSION_JOB_RECONCILE_INTERVAL: 'often' }, 'SESSION_JOB_RECONCILE_INTERVAL'],
  ])('refuses %j, naming the variable', (env, name) => {
    expect(() => readConfig(env)).toThrow(name);
  });
});

describe('example config: HTTP_ADAPTER', () => {
  it('runs on Express unless told otherwise', () => {
    expect(readConfig({}).httpAdapter).toBe('express');
    expect(readConfig({ HTTP_ADAPTER: 'express' }).httpAdapter).toBe('express');
  });

  it('runs on Fastify with HTTP_ADAPTER=fastify', () => {
    expect(readConfig({ HTTP_ADAPTER: 'fastify' }).httpAdapter).toBe('fastify');
  });

  it('refuses any other platform, naming the variable', () => {
    expect(() => readConfig({ HTTP_ADAPTER: 'koa' })).toThrow(
      "HTTP_ADAPTER: must be express or fastify, got 'koa'",
    );
  });
});

describe('example config: REDIS_URL', () => {
  it('defaults to the local Redis, also when empty (shared mode)', () => {
    expect(readConfig({}).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(readConfig({ REDIS_URL: '' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(readConfig({ REDIS_URL: 'redis://cache:6380/2' }).redisUrl).toBe('redis://cache:6380/2');
  });

  it('selects single-instance mode only with REDIS_URL=off', () => {
    expect(readConfig({ REDIS_URL: 'off' }).redisUrl).toBeNull();
    expect(readConfig({ REDIS_URL: ' OFF ' }).redisUrl).toBeNull();
  });
});

describe('example config: SESSION_MAX_PER_USER and SESSION_LIMIT_POLICY', () => {
  it('sets no session limit unless told, and ends the oldest session by default', () => {
    expect(readConfig({})).toMatchObject({
      maxSessionsPerUser: undefined,
      sessionLimitPolicy: 'end-oldest',
    });
    expect(readConfig({ SESSION_MAX_PER_USER: '' }).maxSessionsPerUser).toBeUndefined();
  });

  it('reads a limit and either policy', () => {
    expect(
      readConfig({ SESSION_MAX_PER_USER: '3', SESSION_LIMIT_POLICY: 'refuse-new' }),
    ).toMatchObject({ maxSessionsPerUser: 3, sessionLimitPolicy: 'refuse-new' });
    expect(readConfig({ SESSION_LIMIT_POLICY: 'end-oldest' }).sessionLimitPolicy).toBe(
      'end-oldest',
    );
  });

  it.each([
    [
      { SESSION_MAX_PER_USER: '0' },
      "SESSION_MAX_PER_USER: must be an integer from 1 to 9999, got '0'",
    ],
    [{ SESSION_MAX_PER_USER: 'two' }, 'SESSION_MAX_PER_USER'],
    [{ SESSION_MAX_PER_USER: '1.5' }, 'SESSION_MAX_PER_USER'],
    [
      { SESSION_LIMIT_POLICY: 'drop-oldest' },
      "SESSION_LIMIT_POLICY: must be end-oldest or refuse-new, got 'drop-oldest'",
    ],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});

describe('example config: SESSION_SIGNAL_*', () => {
  it("leaves every theft signal to the module's defaults unless told", () => {
    expect(readConfig({}).signals).toEqual({
      userAgent: undefined,
      network: undefined,
      country: undefined,
    });
  });

  it('reads each action, in any case', () => {
    expect(
      readConfig({
        SESSION_SIGNAL_USER_AGENT: 'ignore',
        SESSION_SIGNAL_NETWORK: 'Step-Up',
        SESSION_SIGNAL_COUNTRY: 'end',
      }).signals,
    ).toEqual({ userAgent: 'ignore', network: 'step-up', country: 'end' });
  });

  it('refuses an unknown action, naming the variable', () => {
    expect(() => readConfig({ SESSION_SIGNAL_COUNTRY: 'block' })).toThrow(
      "SESSION_SIGNAL_COUNTRY: must be ignore, record, step-up or end, got 'block'",
    );
  });
});

describe('example config: POLICY_DECISION_LOG', () => {
  it('is off unless set, all or a rate otherwise', () => {
    expect(readConfig({}).decisionLogRate).toBeNull();
    expect(readConfig({ POLICY_DECISION_LOG: 'all' }).decisionLogRate).toBe(1);
    expect(readConfig({ POLICY_DECISION_LOG: '0.1' }).decisionLogRate).toBe(0.1);
  });

  it.each(['0', '2', 'some'])('refuses %s, naming the variable', (value) => {
    expect(() => readConfig({ POLICY_DECISION_LOG: value })).toThrow('POLICY_DECISION_LOG:');
  });
});

describe('example config: SESSION_POLICY_WATCH', () => {
  it('is off unless set, and refuses a bad duration naming the variable', () => {
    expect(readConfig({}).policyWatch).toBeUndefined();
    expect(readConfig({ SESSION_POLICY_WATCH: '5s' }).policyWatch).toBe('5s');
    expect(() => readConfig({ SESSION_POLICY_WATCH: 'often' })).toThrow('SESSION_POLICY_WATCH');
  });
});
