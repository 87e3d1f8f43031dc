// Writes the package.json of a fresh consumer app: the packed tarball, and each required peer of
// the library at the lowest version its range allows (`lowest`) or the newest one (`latest`,
// with the optional peers too).
// Usage: node consumer-manifest.mjs <lowest|latest> <tarball> <out-dir>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';

const [variant, tarball, outDir] = process.argv.slice(2);
if (variant !== 'lowest' && variant !== 'latest') throw new Error(`unknown variant ${variant}`);

const library = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const optional = new Set(Object.keys(library.peerDependenciesMeta ?? {}));
// Every range is `^x.y.z` (or alternatives of it): its lowest version is the first one named.
const lowestOf = (range) => /^\^(\d+\.\d+\.\d+)(\s|$)/.exec(range.split('||')[0].trim())?.[1];
const pick = (range) => {
  if (variant === 'latest') return range;
  const lowest = lowestOf(range);
  if (!lowest) throw new Error(`cannot tell the lowest version of ${range}`);
  return lowest;
};

const dependencies = { 'nestjs-session-security': `file:${tarball}` };
for (const [name, range] of Object.entries(library.peerDependencies)) {
  if (!optional.has(name)) dependencies[name] = pick(range);
}
// The app's HTTP platform and database driver follow its Nest and the library's optional peers.
dependencies['@nestjs/platform-express'] = dependencies['@nestjs/core'];
dependencies.pg = pick(library.peerDependencies.pg);

const devDependencies = {
  typescript: library.devDependencies.typescript,
  '@types/node': library.devDependencies['@types/node'],
};
// The newest app also has the optional integrations the docs show (not the database drivers
// beyond pg), and the types their declarations name, so the doc blocks compile against them.
if (variant === 'latest') {
  for (const name of optional) {
    if (name !== 'better-sqlite3') dependencies[name] = library.peerDependencies[name];
  }
  dependencies['@nestjs/platform-fastify'] = library.devDependencies['@nestjs/platform-fastify'];
  for (const name of ['@types/express', '@types/ws', '@types/passport-strategy']) {
    devDependencies[name] = library.devDependencies[name];
  }
}
const manifest = {
  name: `consumer-${variant}`,
  private: true,
  type: 'module',
  dependencies,
  devDependencies,
};
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(dependencies)}\n`);
