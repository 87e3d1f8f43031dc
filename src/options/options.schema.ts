import { z } from 'zod';

const duration = z.union([z.number(), z.string()]);

/** Shape check of the plain (non-instance) options; durations and CIDRs are parsed afterwards. */
export const optionsSchema = z
  .object({
    dataSource: z.unknown(),
    secret: z.string().min(32, 'must be at least 32 characters (e.g. 32 random bytes, base64)'),
    redis: z.unknown(),
    redisKeyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{0,64}$/, 'letters, digits and : _ . - only')
      .optional(),
    session: z
      .object({
        idleTimeout: duration.optional(),
        absoluteTimeout: duration.optional(),
        touchInterval: duration.optional(),
      })
      .strict()
      .optional(),
    cookie: z
      .object({
        name: z
          .string()
          .regex(
            /^[A-Za-z0-9_-]{1,32}$/,
            "1-32 letters, digits, '_' or '-' (the __Host- prefix is added)",
          )
          .optional(),
        sameSite: z.enum(['lax', 'strict']).optional(),
      })
      .strict()
      .optional(),
    csrf: z
      .object({
        allowedOrigins: z.array(z.string().url()).optional(),
        headerName: z
          .string()
          .regex(/^[a-z0-9-]{1,64}$/i)
          .optional(),
        jsonOnly: z.boolean().optional(),
      })
      .strict()
      .optional(),
    freshAuth: z
      .object({ maxAge: duration.optional(), levels: z.array(z.string().min(1)).min(1).optional() })
      .strict()
      .optional(),
    throttle: z
      .object({
        enabled: z.boolean().optional(),
        maxAttempts: z.number().int().min(1).max(1000).optional(),
        maxAttemptsPerIp: z.number().int().min(1).max(100_000).optional(),
        window: duration.optional(),
      })
      .strict()
      .optional(),
    trustProxy: z.array(z.string()).optional(),
    allowBearer: z.boolean().optional(),
    globalGuards: z.boolean().optional(),
    users: z.unknown().optional(),
    policy: z.unknown().optional(),
    audit: z.unknown().optional(),
    permissionChanges: z.unknown().optional(),
    surfaces: z
      .object({
        rpc: z
          .object({
            token: z
              .custom<unknown>((value) => typeof value === 'function', 'must be a function')
              .optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    live: z.unknown().optional(),
    clock: z.unknown().optional(),
  })
  .strict();

/** Turns zod issues into `path: message` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.join('.') || '(options)';
    return issue.code === 'unrecognized_keys'
      ? `${path}: unknown option(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`
      : `${path}: ${issue.message}`;
  });
}
