import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { unsafeKeys } from '../policy/policy-references.js';
import { factProblems, policyFactsShape, principalSchema } from '../policy/policy-question.js';
import { PolicyTestSuiteError } from './policy-test-suite.error.js';

const name = z.string().min(1, 'must not be empty').max(200);
const facts = z.strictObject(policyFactsShape);

const testSchema = z.strictObject({
  name,
  as: z.union([name, principalSchema], {
    error: 'expected the name of a principal or { id, roles, tenantId?, attributes? }',
  }),
  action: name,
  subject: name,
  resource: z.record(z.string(), z.unknown()).optional(),
  ...policyFactsShape,
  expect: z.enum(['allow', 'deny'], { error: "expected 'allow' or 'deny'" }),
  rule: name.nullable().optional(),
  reason: name.nullable().optional(),
  failedWhen: z.union([name, z.array(name).min(1)]).optional(),
});

const suiteSchema = z.strictObject({
  policy: name.optional(),
  principals: z.record(name, principalSchema).optional(),
  defaults: facts.optional(),
  tests: z.array(testSchema).min(1, 'a suite needs at least one test'),
});

/**
 * A principal of a policy test: id, roles and attributes (`tenantId`; the rest goes to
 * code-first rules).
 *
 * @example const bob: PolicyTestPrincipal = { id: 2, roles: ['editor'] };
 */
export type PolicyTestPrincipal = z.infer<typeof principalSchema>;

/**
 * One policy test, with the defaults of its suite applied and its principal resolved.
 *
 * @example const test: PolicyTestCase = { name: 'viewers cannot edit', as: { id: 3, roles: ['viewer'] }, action: 'update', subject: 'Article', at: '2026-03-02T10:00', expect: 'deny' };
 */
export type PolicyTestCase = Omit<z.infer<typeof testSchema>, 'as'> & { as: PolicyTestPrincipal };

/**
 * A loaded test file: where it came from, the policy it names (an absolute path) and its tests.
 *
 * @example const suite: PolicyTestSuite = loadPolicyTestSuite('example/example.policy-tests.yaml');
 */
export interface PolicyTestSuite {
  file: string;
  /** The `policy` key, resolved against the test file's folder. */
  policy?: string;
  tests: PolicyTestCase[];
}

/**
 * Reads and validates a YAML or JSON policy test file. Every test must fix its time (`at`, in the
 * test or in `defaults`), so the suite gives the same answer every day.
 *
 * @throws PolicyTestSuiteError naming the file and the path of each problem
 * @example const suite = loadPolicyTestSuite('policy.policy-tests.yaml');
 */
export function loadPolicyTestSuite(file: string): PolicyTestSuite {
  return parsePolicyTestSuite(readSuiteFile(file), file);
}

/**
 * Validates a parsed test file (`file` names it in errors and anchors a relative `policy`).
 *
 * @throws PolicyTestSuiteError
 * @example parsePolicyTestSuite({ tests: [...] }, 'inline')
 */
export function parsePolicyTestSuite(input: unknown, file: string): PolicyTestSuite {
  const unsafe = unsafeKeys(input);
  if (unsafe.length > 0) {
    throw new PolicyTestSuiteError(
      file,
      unsafe.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const parsed = suiteSchema.safeParse(input);
  if (!parsed.success) {
    throw new PolicyTestSuiteError(
      file,
      parsed.error.issues.map((issue) => `${pathText(issue.path)}: ${issue.message}`),
    );
  }
  const { policy, principals = {}, defaults = {}, tests } = parsed.data;
  const problems = factProblems(defaults, 'defaults.');
  const cases = tests.map((test, index): PolicyTestCase | null => {
    const at = `tests[${index}].`;
    const merged = { ...defaults, ...dropUndefined(test) } as typeof test;
    problems.push(...factProblems(merged, at));
    if (merged.at === undefined) {
      problems.push(
        `${at}at: required (here or in defaults), so the test gives the same answer every day`,
      );
    }
    if (typeof test.as !== 'string') return { ...merged, as: test.as };
    const principal = Object.hasOwn(principals, test.as) ? principals[test.as] : undefined;
    if (!principal) {
      const known = Object.keys(principals).join(', ') || 'none';
      problems.push(`${at}as: unknown principal '${test.as}' (known: ${known})`);
      return null;
    }
    return { ...merged, as: principal };
  });
  if (problems.length > 0) throw new PolicyTestSuiteError(file, problems);
  return {
    file,
    ...(policy === undefined ? {} : { policy: resolve(dirname(file), policy) }),
    tests: cases as PolicyTestCase[],
  };
}

function readSuiteFile(file: string): unknown {
  const extension = extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw new PolicyTestSuiteError(file, [
      `unsupported file type '${extension}' (use .yaml, .yml or .json)`,
    ]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyTestSuiteError(file, [`cannot read file: ${(error as Error).message}`]);
  }
  try {
    return extension === '.json' ? JSON.parse(text) : YAML.parse(text, { uniqueKeys: true });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new PolicyTestSuiteError(file, [
      `not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${message}`,
    ]);
  }
}

function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path.reduce<string>(
    (text, segment) =>
      typeof segment === 'number'
        ? `${text}[${segment}]`
        : `${text}${text ? '.' : ''}${String(segment)}`,
    '',
  );
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
