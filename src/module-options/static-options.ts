import { z } from 'zod';
import {
  notificationSection,
  type ResolvedNotificationOptions,
} from '../notifications/notification-options.js';
import {
  bulkRevocationSection,
  type ResolvedBulkRevocationOptions,
} from '../revocation/bulk/bulk-revocation.options.js';
import { describeIssues } from '../options/option-issues.js';
import { booleanOption, durationOption } from '../options/option-schemas.js';
import { SessionSecurityOptionsError } from '../options/options-error.js';

/**
 * The static options of `forRoot` / `forRootAsync`: they decide which providers and queues the
 * module has, so they are known when the module is built, never from an async factory.
 */
export const staticOptionsSchema = z.strictObject({
  isGlobal: booleanOption(true),
  globalGuards: booleanOption(true),
  worker: booleanOption(true),
  notifications: notificationSection.prefault({}),
  bulkRevocation: bulkRevocationSection.prefault({}),
  /** How often each process looks for jobs whose queue state was lost or deferred. */
  reconcileInterval: durationOption('15s', { min: 100, max: 3_600_000 }),
});

/** The keys of {@link staticOptionsSchema}. */
export const STATIC_OPTION_KEYS: readonly string[] = Object.keys(staticOptionsSchema.shape);

/** What `forRootAsync` itself takes besides the static options. */
const ASYNC_KEYS = [
  'imports',
  'inject',
  'useFactory',
  'useClass',
  'useExisting',
  'provideInjectionTokensFrom',
];

/** The static options checked, with defaults; `bulkRevocation` is `null` when turned off. */
export interface ResolvedStaticOptions {
  isGlobal: boolean;
  globalGuards: boolean;
  worker: boolean;
  notifications: ResolvedNotificationOptions;
  bulkRevocation: ResolvedBulkRevocationOptions | null;
  /** In ms. */
  reconcileInterval: number;
}

/**
 * Checks the static options given to `forRoot` / `forRootAsync`, at call time. The top-level
 * `worker` is the default of each queue's own `worker`. With `async`, every key that is neither a
 * static option nor one of `imports`, `inject`, `useFactory`, `useClass`, `useExisting` is an
 * error too (in `forRoot` the other keys are the options, checked at startup).
 *
 * @throws SessionSecurityOptionsError naming each bad key
 * @example resolveStaticOptions({ worker: false, bulkRevocation: { batchSize: 2000 } }, false)
 */
export function resolveStaticOptions(given: object, async: boolean): ResolvedStaticOptions {
  const entries = Object.entries(given).filter(([key]) => STATIC_OPTION_KEYS.includes(key));
  const input: Record<string, unknown> = Object.fromEntries(entries);
  const bulkOff = input.bulkRevocation === false;
  if (bulkOff) delete input.bulkRevocation;
  const worker = typeof input.worker === 'boolean' ? input.worker : true;
  for (const key of ['notifications', 'bulkRevocation']) {
    const section = input[key] ?? {};
    if (typeof section === 'object' && section !== null && !('worker' in section)) {
      input[key] = { ...section, worker };
    }
  }
  const problems: string[] = [];
  if (async) {
    const known = [...STATIC_OPTION_KEYS, ...ASYNC_KEYS];
    const unknown = Object.keys(given).filter((key) => !known.includes(key));
    if (unknown.length > 0) {
      const shape = z.strictObject(Object.fromEntries(known.map((k) => [k, z.unknown()])));
      const parsed = shape.safeParse(given);
      if (!parsed.success) problems.push(...describeIssues(parsed.error, shape));
    }
  }
  const parsed = staticOptionsSchema.safeParse(input);
  if (!parsed.success) problems.push(...describeIssues(parsed.error, staticOptionsSchema));
  if (problems.length > 0 || !parsed.success) throw new SessionSecurityOptionsError(problems);
  return { ...parsed.data, bulkRevocation: bulkOff ? null : parsed.data.bulkRevocation };
}

/**
 * One line for each static option found among the resolved options — only an async factory
 * can put one there, and it would be ignored, so it is refused.
 *
 * @example staticOptionProblems({ globalGuards: false }) // ['globalGuards: a static option ...']
 */
export function staticOptionProblems(options: unknown): string[] {
  if (typeof options !== 'object' || options === null) return [];
  return STATIC_OPTION_KEYS.filter((key) => key in options).map(
    (key) =>
      `${key}: a static option — pass it to forRootAsync({ ${key}, useFactory }) itself; ` +
      'a factory cannot return it',
  );
}
