// Runs the test suite. `npm test` with no arguments (the full run) starts one jest process per
// group of projects, one after the other: jest keeps every suite's ES modules in the process
// that ran it (--experimental-vm-modules), so a single process for all ~230 suites outgrew an
// 8 GB heap near its end and slowed to hook timeouts. With arguments (paths, --selectProjects,
// -t …) it is one jest process, as before. Exits non-zero when any group failed.
import { spawnSync } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';

const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url));
const node = [
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  '--max-old-space-size=8192',
];
const args = process.argv.slice(2);
const groups =
  args.length > 0
    ? [args]
    : [
        ['--selectProjects', 'unit', 'e2e'],
        ['--selectProjects', 'e2e-fastify'],
      ];

let failed = 0;
for (const group of groups) {
  const run = spawnSync(process.execPath, [...node, jest, ...group], { stdio: 'inherit' });
  if (run.status !== 0) failed = run.status ?? 1;
}
process.exit(failed);
