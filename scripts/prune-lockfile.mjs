// Removes, from package-lock.json, optional dependencies that have no entry of their own.
// The registry this project installs from serves only the platform packages it needs, so npm
// records optional platform binaries (swc, jest's resolver, msgpackr) that it could not resolve;
// `npm ci` then refuses the lock as out of sync. Run after `npm install`: `npm run lock:prune`.
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
let removed = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (!entry.optionalDependencies) continue;
  for (const dependency of Object.keys(entry.optionalDependencies)) {
    if (!resolves(path, dependency)) {
      delete entry.optionalDependencies[dependency];
      removed++;
    }
  }
  if (Object.keys(entry.optionalDependencies).length === 0) delete entry.optionalDependencies;
}
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: removed ${removed} unresolvable optional dependencies`);

function resolves(from, dependency) {
  let base = from;
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${dependency}`]) return true;
    if (!base) return false;
    const index = base.lastIndexOf('/node_modules/');
    base = index < 0 ? '' : base.slice(0, index);
  }
}
