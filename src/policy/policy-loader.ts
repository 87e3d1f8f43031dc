import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { checkReferences, ruleId, unsafeKeys, type RawIssue } from './policy-references.js';
import { formatPolicyPath, PolicyValidationError } from './policy-validation.error.js';
import { policyDocumentSchema } from './policy.schema.js';
import type { PolicyDocument } from './policy.types.js';

/**
 * Auth levels from weakest to strongest when the options do not name them.
 *
 * @example DEFAULT_AUTH_LEVELS // ['password', 'mfa']
 */
export const DEFAULT_AUTH_LEVELS: readonly string[] = ['password', 'mfa'];

/**
 * Validates a policy document and returns a copy in which every rule has its stable `id`
 * (`rule.id` or `<role>[<index>]`). Every problem is reported at once, each with its exact path.
 *
 * @param origin where the document came from (a file path or `'options'`), used in the error
 * @throws PolicyValidationError
 * @example validatePolicy({ roles: { viewer: [{ action: 'read', subject: 'Article' }] } }, 'options')
 */
export function validatePolicy(
  input: unknown,
  origin: string,
  levels: readonly string[] = DEFAULT_AUTH_LEVELS,
): PolicyDocument {
  const unsafe = unsafeKeys(input);
  if (unsafe.length > 0) throw invalid(unsafe, origin);
  const parsed = policyDocumentSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues.flatMap(toRawIssues), origin);
  const document = parsed.data as PolicyDocument;
  const problems = checkReferences(document, levels);
  if (problems.length > 0) throw invalid(problems, origin);
  const roles = Object.fromEntries(
    Object.entries(document.roles).map(([role, rules]) => [
      role,
      rules.map((rule, index) => ({ ...rule, id: ruleId(role, index, rule) })),
    ]),
  );
  return { ...document, roles };
}

/**
 * Reads and validates a `.yaml`, `.yml` or `.json` policy file. The file path becomes the origin of
 * every rule.
 *
 * @throws PolicyValidationError when the file is unreadable, unparsable or invalid
 * @example const document = loadPolicyFile('./policy.yaml');
 */
export function loadPolicyFile(
  path: string,
  levels: readonly string[] = DEFAULT_AUTH_LEVELS,
): PolicyDocument {
  return validatePolicy(readPolicyFile(path), path, levels);
}

/**
 * Reads and parses a policy file without validating it.
 *
 * @throws PolicyValidationError when the file is unreadable or not valid YAML/JSON
 * @example const raw = readPolicyFile('./policy.json');
 */
export function readPolicyFile(path: string): unknown {
  const extension = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw invalid(
      [{ path: [], message: `unsupported file type '${extension}' (use .yaml, .yml or .json)` }],
      path,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid([{ path: [], message: `cannot read file: ${(error as Error).message}` }], path);
  }
  try {
    return extension === '.json' ? JSON.parse(text) : YAML.parse(text, { uniqueKeys: true });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw invalid(
      [{ path: [], message: `not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${message}` }],
      path,
    );
  }
}

function invalid(issues: RawIssue[], origin: string): PolicyValidationError {
  return new PolicyValidationError(
    issues.map((issue) => ({ path: formatPolicyPath(issue.path), message: issue.message })),
    origin,
  );
}

function toRawIssues(issue: z.core.$ZodIssue): RawIssue[] {
  const path = issue.path.map((segment) =>
    typeof segment === 'number' ? segment : String(segment),
  );
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key' }));
  }
  return [{ path, message: issue.message }];
}
