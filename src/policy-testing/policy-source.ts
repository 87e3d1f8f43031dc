import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createPolicyConfig,
  policyVersion,
  type ResolvedPolicyConfig,
} from '../policy/policy-config.js';
import { DEFAULT_AUTH_LEVELS, validatePolicy } from '../policy/policy-loader.js';
import { PolicyValidationError } from '../policy/policy-validation.error.js';
import type { PolicyDocument } from '../policy/policy.types.js';

const MODULE = ['.js', '.mjs', '.cjs'];

/**
 * Loads the policy that tests run against, validated as at startup:
 * - a `.yaml` / `.yml` / `.json` policy file;
 * - a JavaScript module exporting a policy document: `policy.js#builtInPolicy` names the export,
 *   otherwise the default export or one named `policy` is used (for a policy written in code).
 *
 * @throws PolicyValidationError naming the file and each problem
 * @example const config = await loadTestPolicy('dist/example/policy.js#builtInPolicy');
 */
export async function loadTestPolicy(
  spec: string,
  levels: readonly string[] = DEFAULT_AUTH_LEVELS,
): Promise<ResolvedPolicyConfig> {
  const [path, exportName] = splitExport(spec);
  if (!MODULE.includes(extname(path).toLowerCase())) {
    if (exportName !== undefined) {
      throw new PolicyValidationError(
        [
          {
            path: 'policy',
            message: `'#${exportName}' names an export, but ${path} is not a JavaScript module`,
          },
        ],
        spec,
      );
    }
    return createPolicyConfig({ file: path }, [...levels]);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PolicyValidationError(
      [{ path: 'policy', message: `cannot import module: ${(error as Error).message}` }],
      spec,
    );
  }
  const names = exportName === undefined ? ['default', 'policy'] : [exportName];
  const found = names.find((name) => module[name] !== undefined);
  if (found === undefined) {
    const known = Object.keys(module).join(', ') || 'none';
    throw new PolicyValidationError(
      [
        {
          path: 'policy',
          message: `the module exports no ${names.map((n) => `'${n}'`).join(' or ')} (its exports: ${known})`,
        },
      ],
      spec,
    );
  }
  return configOf(module[found], spec, levels);
}

/**
 * The policy config of a document given in code (validated as at startup).
 *
 * @example const config = documentPolicy(builtInPolicy);
 */
export function documentPolicy(
  document: PolicyDocument,
  levels: readonly string[] = DEFAULT_AUTH_LEVELS,
): ResolvedPolicyConfig {
  return configOf(document, 'options', levels);
}

function configOf(input: unknown, origin: string, levels: readonly string[]): ResolvedPolicyConfig {
  const document = validatePolicy(input, origin, levels);
  return { document, origin, version: policyVersion(document), levels: [...levels] };
}

function splitExport(spec: string): [string, string | undefined] {
  const at = spec.lastIndexOf('#');
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1) || undefined] : [spec, undefined];
}
