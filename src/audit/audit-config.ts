import { hkdfSync } from 'node:crypto';
import { SessionSecurityOptionsError } from '../options/options-error.js';
import { isSensitiveKey } from './audit-details-guard.js';
import { auditEncryptionKey, type AuditEncryptionKey } from './audit-field-cipher.js';
import { z } from 'zod';
import { parseSection } from '../options/option-issues.js';
import {
  auditRetentionSection,
  type AuditRetentionOptions,
  type ResolvedAuditRetention,
} from './audit-retention-config.js';

/** The `audit` section of the options pipeline: its shape; keys are decoded afterwards. */
export const auditSection = z.strictObject(
  {
    keys: z.record(z.string(), z.string('must be a hex or base64 string')).optional(),
    encryptionKey: z.string('must be 32 bytes (base64 or hex)').optional(),
    encryptFields: z
      .array(z.string().min(1, 'must be a non-empty string'), 'must be an array of field names')
      .default([]),
    retention: auditRetentionSection.optional(),
  },
  'must be an object such as { retention: { maxAge: "400d" } }',
);

/**
 * DI token of the {@link ResolvedAuditConfig} that `AuditService` and `AuditRetentionService`
 * inject.
 *
 * @example
 * { provide: AUDIT_CONFIG, useFactory: (o) => resolveAuditConfig(o.audit, o.secret), inject: [OPTIONS] }
 */
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');

/**
 * Key id of the HMAC key derived from the module secret. It signs new events when `audit.keys`
 * is not set, and stays available for verification once explicit keys take over.
 *
 * @example
 * resolveAuditConfig(undefined, secret).currentKeyId; // 'default'
 */
export const DEFAULT_AUDIT_KEY_ID = 'default';

/**
 * The audit options after validation.
 *
 * @example
 * const config: ResolvedAuditConfig = resolveAuditConfig({ keys: { k2: newKey } }, secret);
 */
export interface ResolvedAuditConfig {
  /** Key id that signs new events and checkpoints. */
  currentKeyId: string;
  /** Every HMAC key verification accepts, by key id (always includes `'default'`). */
  keys: ReadonlyMap<string, Buffer>;
  /** Key for encrypted `details` fields, or `null` when none is configured. */
  encryption: AuditEncryptionKey | null;
  /** Top-level `details` members encrypted at rest. */
  encryptFields: ReadonlySet<string>;
  /** The retention job's settings, or `null` when `audit.retention` is not set. */
  retention: ResolvedAuditRetention | null;
}

/**
 * The HMAC key derived from the module secret (HKDF-SHA256, info `nestjs-session-security/audit`).
 *
 * @example
 * const keys = { k2: newKeyHex, default: deriveAuditKey(secret).toString('hex') };
 */
export function deriveAuditKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', 'nestjs-session-security/audit', 32));
}

/**
 * Validates `audit` options on its own (the module does it in its options pipeline). Keys are
 * hex or base64 strings: HMAC keys of at least 32 bytes, the encryption key of exactly 32 bytes.
 * Every problem is reported together in one {@link SessionSecurityOptionsError} naming the option.
 *
 * @example
 * resolveAuditConfig({ encryptionKey: 'short' }, secret);
 * // throws: audit.encryptionKey: must be 32 bytes (base64 or hex)
 */
export function resolveAuditConfig(
  options: AuditOptions | undefined,
  secret: string,
): ResolvedAuditConfig {
  const problems: string[] = [];
  const config = finishAuditConfig(
    parseSection('audit', auditSection, options ?? {}),
    secret,
    problems,
  );
  if (problems.length > 0) throw new SessionSecurityOptionsError(problems);
  return config;
}

/**
 * Decodes the keys of a parsed `audit` section and derives the default key from the secret,
 * pushing one line per problem onto `problems`.
 *
 * @example const audit = finishAuditConfig(parsed.audit, parsed.secret, problems);
 */
export function finishAuditConfig(
  options: z.output<typeof auditSection>,
  secret: string,
  problems: string[],
): ResolvedAuditConfig {
  const before = problems.length;
  if (typeof secret !== 'string' || secret.length < 32) {
    problems.push('secret: must be at least 32 characters (the audit key is derived from it)');
  }
  const keys = new Map<string, Buffer>();
  for (const [id, value] of Object.entries(options.keys ?? {})) {
    const problem = checkKeyId(id);
    const key = decodeKey(value);
    if (problem) problems.push(`audit.keys.${id}: ${problem}`);
    else if (!key || key.length < 32) {
      problems.push(`audit.keys.${id}: must be at least 32 bytes (base64 or hex)`);
    } else keys.set(id, key);
  }
  if (options.keys && Object.keys(options.keys).length === 0) {
    problems.push('audit.keys: must name at least one key (the first one signs new events)');
  }
  const currentKeyId = keys.keys().next().value ?? DEFAULT_AUDIT_KEY_ID;
  if (!keys.has(DEFAULT_AUDIT_KEY_ID) && problems.length === before) {
    keys.set(DEFAULT_AUDIT_KEY_ID, deriveAuditKey(secret));
  }

  let encryption: AuditEncryptionKey | null = null;
  if (options.encryptionKey !== undefined) {
    const key = decodeKey(options.encryptionKey);
    if (key?.length === 32) encryption = auditEncryptionKey(key);
    else problems.push('audit.encryptionKey: must be 32 bytes (base64 or hex)');
  }
  const fields = options.encryptFields;
  fields.forEach((name, i) => {
    if (isSensitiveKey(name)) {
      problems.push(
        `audit.encryptFields[${i}]: '${name}' names a credential, which is never stored`,
      );
    }
  });
  if (fields.length > 0 && options.encryptionKey === undefined) {
    problems.push('audit.encryptionKey: required when audit.encryptFields is set');
  }
  const retention = options.retention ?? null;
  return { currentKeyId, keys, encryption, encryptFields: new Set(fields), retention };
}

function checkKeyId(id: string): string | null {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) return 'key ids are 1-64 characters of [A-Za-z0-9._-]';
  if (/^\d+$/.test(id)) return 'a key id must not be a plain number (it would reorder the keys)';
  return null;
}

function decodeKey(value: unknown): Buffer | null {
  if (typeof value !== 'string') return null;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return Buffer.from(value, 'base64');
  return null;
}

/** `audit`: the chain's keys, encrypted fields and retention. */
export interface AuditOptions {
  /** HMAC keys of the chain by key id; the first entry signs new events (default: derived from `secret`). */
  keys?: Record<string, string>;
  /** 32-byte key (base64 or hex) for encrypting sensitive `details` fields at rest. */
  encryptionKey?: string;
  /** Names of `details` fields that are encrypted at rest. */
  encryptFields?: string[];
  /** A repeatable job that archives and deletes events older than `maxAge` (default: off). */
  retention?: AuditRetentionOptions;
}

declare module '../options/resolved-options.js' {
  /** The `audit` slice of the resolved options, filled by `resolveOptions()`. */
  interface ResolvedOptions {
    audit: ResolvedAuditConfig;
  }
}
