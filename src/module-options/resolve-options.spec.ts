import { SessionSecurityOptionsError } from '../options/options-error.js';
import { resolveOptions } from './resolve-options.js';
import { SessionEntity } from '../session/session.entity.js';

const dataSource = {
  getRepository: () => ({}),
  hasMetadata: (target: unknown) => target === SessionEntity,
};
const valid = { dataSource, secret: 's'.repeat(32), redis: false as const };

function problems(options: object): string {
  try {
    resolveOptions({ ...valid, ...options } as never);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionSecurityOptionsError);
    return (error as Error).message;
  }
  throw new Error('expected the options to be refused');
}

describe('resolveOptions', () => {
  it('fills secure defaults', () => {
    const resolved = resolveOptions(valid as never);
    expect(resolved.cookie).toEqual({ name: '__Host-t', sameSite: 'Lax' });
    expect(resolved.session).toEqual({
      idleTimeoutMs: 30 * 60_000,
      absoluteTimeoutMs: 12 * 3_600_000,
      touchIntervalMs: 60_000,
      limit: null,
      rememberMe: {
        idleTimeoutMs: 7 * 86_400_000,
        absoluteTimeoutMs: 30 * 86_400_000,
        rotateAfterMs: 60_000,
        replayGraceMs: 10_000,
      },
      signals: { userAgent: 'record', network: 'record', country: 'step-up' },
      impersonation: { maxDurationMs: 3_600_000 },
    });
    expect(resolved.allowBearer).toBe(false);
    expect(resolved.csrf.jsonOnly).toBe(true);
    expect(resolved.throttle).toEqual({
      enabled: true,
      maxAttempts: 5,
      maxAttemptsPerIp: 100,
      windowMs: 15 * 60_000,
    });
    expect(
      resolveOptions({ ...valid, throttle: { maxAttempts: 500 } } as never).throttle,
    ).toMatchObject({
      maxAttemptsPerIp: 500,
    });
    expect(resolved.trustProxy.size).toBe(0);
  });

  it.each([
    [{ secret: 'short' }, /secret: must be at least 32 characters/],
    [{ session: { idleTimeout: 'soon' } }, /session\.idleTimeout: invalid duration "soon"/],
    [
      { session: { idleTimeout: '13h' } },
      /session\.idleTimeout: must not be longer than session\.absoluteTimeout/,
    ],
    [
      { session: { rememberMe: { idleTimeout: '40d' } } },
      /session\.rememberMe\.idleTimeout: must not be longer than session\.rememberMe\.absoluteTimeout/,
    ],
    [
      { session: { rememberMe: { replayGrace: '2m' } } },
      /session\.rememberMe\.replayGrace: must be at most 1 ?m/,
    ],
    [
      { session: { rememberMe: { absoluteTimeout: '401d' } } },
      /session\.rememberMe\.absoluteTimeout: must be at most/,
    ],
    [
      { session: { impersonation: { maxDuration: '25h' } } },
      /session\.impersonation\.maxDuration: must be at most/,
    ],
    [
      { session: { impersonation: { maxDuration: 'forever' } } },
      /session\.impersonation\.maxDuration: invalid duration/,
    ],
    [
      { session: { rememberMe: { rotateAfter: 'often' } } },
      /session\.rememberMe\.rotateAfter: invalid/,
    ],
    [
      { session: { signals: { country: 'block' } } },
      /session\.signals\.country: must be 'ignore', 'record', 'step-up' or 'end'/,
    ],
    [
      { session: { signals: { network: 'stepup' } } },
      /session\.signals\.network: must be 'ignore', 'record', 'step-up' or 'end'/,
    ],
    [
      { session: { signals: { userAgents: 'record' } } },
      /session\.signals\.userAgents: unknown option — did you mean 'userAgent'\?/,
    ],
    [{ cookie: { name: 'bad name' } }, /cookie\.name:/],
    [{ cookie: { sameSite: 'none' } }, /cookie\.sameSite:/],
    [{ trustProxy: ['10.0.0.0/8', 'nope'] }, /trustProxy\[1\]: invalid CIDR 'nope'/],
    [{ sesion: {} }, /sesion: unknown option — did you mean 'session'\?/],
    [{ redis: undefined }, /redis: required/],
    [{ redis: 'redis://127.0.0.1:6379/10x' }, /redis: database '10x'/],
    [{ redis: 'http://127.0.0.1:6379' }, /redis: 'http:' is not redis: or rediss:/],
    [{ redis: '127.0.0.1:6379' }, /redis: (is not a URL|'127\.0\.0\.1:' is not redis)/],
    [{ redis: 'redis://127.0.0.1:99999' }, /redis: is not a URL/],
    [{ dataSource: undefined }, /dataSource: required/],
    [
      { dataSource: { getRepository: () => ({}), hasMetadata: () => false } },
      /sessionSecurityEntities/,
    ],
    [{ throttle: { maxAttempts: 0 } }, /throttle\.maxAttempts:/],
    [{ throttle: { enabled: 'no' } }, /throttle\.enabled:/],
    [{ throttle: { maxAttemptsPerIp: 0 } }, /throttle\.maxAttemptsPerIp:/],
    [{ csrf: { allowedOrigins: ['not a url'] } }, /csrf\.allowedOrigins\[0\]:/],
    [
      { session: { limit: { maxSessions: 0 } } },
      /session\.limit\.maxSessions: must be an integer from 1 to 10000, got 0/,
    ],
    [
      { session: { limit: { maxSessions: 2.5 } } },
      /session\.limit\.maxSessions: must be an integer/,
    ],
    [
      { session: { limit: { perRole: { admin: -1 } } } },
      /session\.limit\.perRole\.admin: must be an integer from 1 to 10000/,
    ],
    [
      { session: { limit: { maxSessions: 3, policy: 'drop-oldest' } } },
      /session\.limit\.policy: must be 'end-oldest' or 'refuse-new'/,
    ],
    [{ session: { limit: {} } }, /session\.limit: sets no limit — give maxSessions, perRole/],
    [
      { session: { limit: { maxSession: 3 } } },
      /session\.limit\.maxSession: unknown option — did you mean 'maxSessions'\?/,
    ],
  ])('refuses %j naming the option', (options, message) => {
    expect(problems(options)).toMatch(message);
  });

  it('accepts redis:// and rediss:// URLs with a database number, and keeps a password out of messages', () => {
    for (const redis of ['redis://127.0.0.1:6379', 'rediss://:pw@cache.internal/3', 'redis://h/']) {
      expect(resolveOptions({ ...valid, redis } as never).redis).toBe(redis);
    }
    expect(problems({ redis: 'redis://:hunter2@h:6379/x' })).not.toContain('hunter2');
  });

  it('reports every problem at once', () => {
    const message = problems({ secret: 'x', session: { absoluteTimeout: '-1h' } });
    expect(message).toMatch(/secret/);
    expect(message).toMatch(/session\.absoluteTimeout/);
  });

  it('takes the theft-signal actions given, defaulting the rest', () => {
    const resolved = resolveOptions({
      ...valid,
      session: { signals: { country: 'end', userAgent: 'ignore' } },
    } as never);
    expect(resolved.session.signals).toEqual({
      userAgent: 'ignore',
      network: 'record',
      country: 'end',
    });
  });

  it('resolves a session limit with end-oldest as its default policy', () => {
    const resolved = resolveOptions({
      ...valid,
      session: { limit: { maxSessions: 5, perRole: { admin: 2 } } },
    } as never);
    expect(resolved.session.limit).toEqual({
      maxSessions: 5,
      perRole: { admin: 2 },
      policy: 'end-oldest',
    });
    const perRoleOnly = resolveOptions({
      ...valid,
      session: { limit: { perRole: { admin: 1 }, policy: 'refuse-new' } },
    } as never);
    expect(perRoleOnly.session.limit).toEqual({
      maxSessions: null,
      perRole: { admin: 1 },
      policy: 'refuse-new',
    });
  });

  it('keeps the touch interval within a tenth of the idle timeout', () => {
    const resolved = resolveOptions({ ...valid, session: { idleTimeout: '2m' } } as never);
    expect(resolved.session.touchIntervalMs).toBe(12_000);
  });
});
