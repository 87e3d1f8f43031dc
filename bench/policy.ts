import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Policy decision timings from `bench/policy.bench.ts`, or `null` while it does not exist. */
export async function measurePolicy(): Promise<unknown> {
  const compiled = new URL('./policy.bench.js', import.meta.url);
  const source = new URL('../../bench/policy.bench.ts', import.meta.url);
  if (!existsSync(fileURLToPath(compiled)) || !existsSync(fileURLToPath(source))) return null;
  const module = (await import(compiled.href)) as { runPolicyBench?: () => unknown };
  if (typeof module.runPolicyBench !== 'function') return null;
  return (await module.runPolicyBench()) ?? null;
}
