import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateRedis } from '../support/private-redis.js';
import { Launcher } from './process-launcher.js';
import { PrivatePostgres } from './private-postgres.js';
import { formatReport, type FaultReport } from './report.js';
import { runScenario } from './run-scenario.js';
import type { FaultServers, ScenarioResult } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';
import { prepareTemplate } from './template.js';

/**
 * `npm run test:faults [-- --only=redis-stall,postgres-restart] [-- --update-docs]`: two instances of the example
 * app and a worker on a PostgreSQL cluster and a Redis of the suite's own, the faults of
 * docs/reliability.md scripted one by one while traffic flows. Prints the table, writes
 * `test-results/faults.json` and `.md`, and exits 1 when any invariant failed.
 */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const selected = only ? SCENARIOS.filter((s) => only.split(',').includes(s.name)) : SCENARIOS;
if (only && selected.length === 0) {
  console.error(`--only: no such scenario; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const RESULTS = new URL('../../../test-results/', import.meta.url);
const DOCS = new URL('../../../docs/reliability.md', import.meta.url);

const launcher = new Launcher();
const workDir = mkdtempSync(join(tmpdir(), 'faults-'));
let postgres: PrivatePostgres | null = null;
let redis: PrivateRedis | null = null;

/** Kills everything the run started, by pid, and removes its directories (synchronous). */
function cleanUp(): void {
  launcher.killAll();
  const redisPid = redis?.pid;
  if (redisPid) {
    try {
      process.kill(redisPid, 'SIGCONT');
      process.kill(redisPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  redis = null;
  postgres?.remove();
  postgres = null;
  rmSync(workDir, { recursive: true, force: true });
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const startedAt = performance.now();
const results: ScenarioResult[] = [];
try {
  [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  console.log(`PostgreSQL on :${postgres.port} (${postgres.dir}), Redis on :${redis.port}`);
  const template = await prepareTemplate(launcher, postgres, redis, workDir);
  const servers: FaultServers = { launcher, postgres, redis, workDir, template };
  for (const scenario of selected) {
    console.log(`\n▶ ${scenario.name}: ${scenario.title}`);
    const result = await runScenario(scenario, servers);
    results.push(result);
    for (const check of result.checks) {
      console.log(
        `  ${check.pass ? '✓' : '✗'} ${check.name}${check.detail ? ` — ${check.detail}` : ''}`,
      );
    }
    if (result.error) console.log(`  ✗ error: ${result.error}`);
    console.log(`  ${result.pass ? 'pass' : 'FAIL'} in ${result.durationSeconds} s`);
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
const report: FaultReport = {
  date: new Date().toISOString(),
  durationSeconds: Math.round((performance.now() - startedAt) / 1000),
  machine: { nproc: availableParallelism(), node: process.version, loadavg: loadavg() },
  pass: results.length === selected.length && results.every((r) => r.pass),
  scenarios: results,
};
const table = formatReport(report);
console.log(`\n${table}`);
mkdirSync(RESULTS, { recursive: true });
writeFileSync(new URL('faults.json', RESULTS), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(new URL('faults.md', RESULTS), `${table}\n`);
console.log('\nwrote test-results/faults.json and test-results/faults.md');
if (process.argv.includes('--update-docs')) {
  const page = readFileSync(DOCS, 'utf8').replace(
    /(<!-- faults-table:start -->\n)[\s\S]*(<!-- faults-table:end -->)/,
    (_all, start: string, end: string) => `${start}\n${table}\n\n${end}`,
  );
  // Formatted as `npm run lint` checks it (prettier aligns the table's columns).
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(DOCS)) ?? {};
  writeFileSync(DOCS, await prettier.format(page, { ...options, parser: 'markdown' }));
  console.log('pasted the table into docs/reliability.md');
}
cleanUp();
process.exit(report.pass && !process.exitCode ? 0 : 1);
