import { Test } from '@nestjs/testing';
import { SessionSecurityModule } from '../session-security.module.js';
import { SessionEntity } from '../session/session.entity.js';
import { knownKeys, optionPaths } from '../options/option-issues.js';
import { durationOptions } from '../options/option-schemas.js';
import { SessionSecurityOptionsError } from '../options/options-error.js';
import { optionsSchema } from './options.schema.js';
import { resolveOptions } from './resolve-options.js';
import { resolveStaticOptions, staticOptionsSchema } from './static-options.js';

const dataSource = {
  getRepository: () => ({}),
  hasMetadata: (target: unknown) => target === SessionEntity,
};
const valid = { dataSource, secret: 's'.repeat(32), redis: false as const };
/** What an object at a path needs besides the key under test to be valid. */
const required: Record<string, object> = {
  'audit.retention': { maxAge: '90d' },
  'notifications.webhook': { url: 'https://hooks.example.com/h', secret: 'w'.repeat(32) },
};

/** `{ a: { b: value } }` for 'a.b', with the required siblings of every level. */
function at(path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const root: Record<string, unknown> = {};
  let node = root;
  keys.forEach((key, i) => {
    const here = keys.slice(0, i + 1).join('.');
    node[key] = i === keys.length - 1 ? value : { ...required[here] };
    node = node[key] as Record<string, unknown>;
  });
  return root;
}

/** The problems the pipeline reports for `options` (a static option path goes to forRoot). */
function problemsOf(path: string, options: Record<string, unknown>): readonly string[] {
  const statics = Object.keys(staticOptionsSchema.shape).includes(path.split('.')[0]);
  try {
    if (statics) resolveStaticOptions(options, false);
    else resolveOptions({ ...valid, ...options } as never);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionSecurityOptionsError);
    return (error as SessionSecurityOptionsError).problems;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

/** Every object of the options (a section or a nested group), found from the schemas. */
function objectPaths(): string[] {
  const all = [
    ...optionPaths(optionsSchema, () => true),
    ...optionPaths(staticOptionsSchema, () => true),
  ];
  const schemaOf = (path: string) =>
    path.startsWith('notifications') || path.startsWith('bulkRevocation')
      ? staticOptionsSchema
      : optionsSchema;
  return [...new Set(all)].filter(
    (path) => path && !path.includes('[]') && knownKeys(schemaOf(path), path.split('.')).length > 0,
  );
}

/** `ab` -> `ba` on the first two letters: the typo of a hurried hand. */
const typo = (key: string) => key[1] + key[0] + key.slice(2);

describe('options pipeline', () => {
  const sections = objectPaths();
  const durations = [
    ...optionPaths(optionsSchema, (s) => durationOptions.has(s)),
    ...optionPaths(staticOptionsSchema, (s) => durationOptions.has(s)),
  ];

  it('finds every section and every duration option in the schemas', () => {
    expect(sections).toEqual(
      expect.arrayContaining([
        'session',
        'throttle',
        'freshAuth',
        'audit.retention',
        'surfaces.rpc',
        'notifications',
        'notifications.webhook',
        'bulkRevocation',
        'permissionChanges',
        'live',
        'policy',
      ]),
    );
    expect(durations).toEqual(
      expect.arrayContaining([
        'session.idleTimeout',
        'freshAuth.maxAge',
        'throttle.window',
        'audit.retention.every',
        'notifications.backoff',
        'notifications.webhook.timeout',
        'bulkRevocation.stalledAfter',
        'permissionChanges.backoff',
        'live.sweepInterval',
      ]),
    );
  });

  it.each(objectPaths())(
    'rejects a typo in %s naming it and the key it was meant to be',
    (path) => {
      const schema = ['notifications', 'bulkRevocation'].includes(path.split('.')[0])
        ? staticOptionsSchema
        : optionsSchema;
      const key = knownKeys(schema, path.split('.')).find((k) => k.length >= 3)!;
      const problems = problemsOf(path, at(`${path}.${typo(key)}`, 1));
      expect(problems).toContain(`${path}.${typo(key)}: unknown option — did you mean '${key}'?`);
    },
  );

  it.each([
    ['notifications.backoffMs', 'backoff'],
    ['notifications.leaseMs', 'lease'],
    ['notifications.webhook.timeoutMs', 'timeout'],
    ['bulkRevocation.backoffMs', 'backoff'],
    ['bulkRevocation.stalledAfterMs', 'stalledAfter'],
    ['permissionChanges.backoffMs', 'backoff'],
  ])('refuses the old key %s naming its duration-taking name', (path, renamed) => {
    expect(problemsOf(path, at(path, 1000))).toContain(
      `${path}: unknown option — did you mean '${renamed}'?`,
    );
  });

  it('rejects an unknown top-level option with a suggestion', () => {
    expect(problemsOf('x', { sesion: {} })).toContain(
      "sesion: unknown option — did you mean 'session'?",
    );
    expect(problemsOf('x', { workr: false })).toContain(
      "workr: unknown option — did you mean 'worker'?",
    );
  });

  describe.each(durations)('duration %s', (path) => {
    it.each(['5 mn', '15 mn', 'soon', '', -5, 0, '-1m'])('rejects %p naming the key', (bad) => {
      const problems = problemsOf(path, at(path, bad));
      expect(problems.some((line) => line.startsWith(`${path}: `))).toBe(true);
    });

    it('accepts text and milliseconds where they are in range', () => {
      const ok = ['1h', 3_600_000].map((value) => {
        const [first] = path.split('.');
        const options = at(path, value);
        try {
          return first === 'notifications' || first === 'bulkRevocation'
            ? !!resolveStaticOptions(options, false)
            : !!resolveOptions({ ...valid, ...options } as never);
        } catch (error) {
          // A bounded option may refuse one hour, but only with a range message, never as invalid.
          return !/invalid duration/.test((error as Error).message);
        }
      });
      expect(ok).toEqual([true, true]);
    });
  });

  it('lists every problem at once, each with its path', () => {
    const problems = problemsOf('x', {
      freshAuth: { maxAge: '5 mn' },
      throttle: { window: '15 mn' },
      live: { sweep: '5s' },
      permissionChanges: { attempts: 0 },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^freshAuth\.maxAge: invalid duration "5 mn"/),
      expect.stringMatching(/^throttle\.window: invalid duration "15 mn"/),
      expect.stringMatching(/^permissionChanges\.attempts: must be an integer from 1 to 100/),
      "live.sweep: unknown option — did you mean 'sweepInterval'?",
    ]);
  });
});

describe('redis option shape', () => {
  it.each([
    ['redis://127.0.0.1:6379/10x', /^redis: database '10x' in the URL path is not a whole number/],
    ['not a url', /^redis: is not a URL/],
    ['http://127.0.0.1:6379', /^redis: 'http:' is not redis: or rediss:/],
    [42, /^redis: must be an ioredis client/],
    [{ host: '127.0.0.1' }, /^redis: must be an ioredis client/],
    [true, /^redis: must be an ioredis client/],
    [undefined, /^redis: required/],
  ])('refuses %p naming redis', (redis, message) => {
    expect(problemsOf('x', { redis })).toEqual([expect.stringMatching(message)]);
  });

  it('never repeats the password of a URL it refuses', () => {
    const [line] = problemsOf('x', { redis: 'redis://:hunter2@127.0.0.1:6379/1x' });
    expect(line).toMatch(/^redis: /);
    expect(line).not.toContain('hunter2');
  });

  it.each(['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379/2', 'rediss://u:p@cache:6380/15'])(
    'accepts %p',
    (redis) => {
      expect(resolveOptions({ ...valid, redis } as never).redis).toBe(redis);
    },
  );
});

describe('static options', () => {
  it('refuses a static option returned by a forRootAsync factory', () => {
    expect(problemsOf('x', { globalGuards: false })).toEqual([
      'globalGuards: a static option — pass it to forRootAsync({ globalGuards, useFactory }) ' +
        'itself; a factory cannot return it',
    ]);
  });

  it('refuses a mistyped key of forRootAsync itself, at call time', () => {
    expect(() =>
      SessionSecurityModule.forRootAsync({ useFactory: () => valid, globalGuard: false } as never),
    ).toThrow(/globalGuard: unknown option — did you mean 'globalGuards'\?/);
  });

  it('refuses bad static options at forRoot call time, naming the section', () => {
    expect(() =>
      SessionSecurityModule.forRoot({ ...valid, bulkRevocation: { backof: '1s' } } as never),
    ).toThrow(/bulkRevocation\.backof: unknown option — did you mean 'backoff'\?/);
    expect(() =>
      SessionSecurityModule.forRoot({ ...valid, notifications: { lease: '5 mn' } } as never),
    ).toThrow(/notifications\.lease: invalid duration "5 mn"/);
  });
});

describe('forRoot and forRootAsync', () => {
  const bad = { ...valid, session: { idelTimeout: '5m' }, throttle: { window: '15 mn' } };

  async function startupError(module: ReturnType<typeof SessionSecurityModule.forRoot>) {
    const error = await Test.createTestingModule({ imports: [module] })
      .compile()
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(SessionSecurityOptionsError);
    return (error as SessionSecurityOptionsError).problems;
  }

  it('reject the same options with the same problems', async () => {
    const direct = await startupError(SessionSecurityModule.forRoot(bad as never));
    const factory = await startupError(
      SessionSecurityModule.forRootAsync({ useFactory: () => bad as never }),
    );
    expect(direct).toEqual([
      "session.idelTimeout: unknown option — did you mean 'idleTimeout'?",
      expect.stringMatching(/^throttle\.window: invalid duration "15 mn"/),
    ]);
    expect(factory).toEqual(direct);
  });
});
