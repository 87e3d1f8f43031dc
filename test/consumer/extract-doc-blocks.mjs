// Extracts the code blocks of README.md and docs/*.md for the consumer app to compile against
// the published API:
// - a ```ts block goes whole to <out-dir>/<doc>-<n>.ts;
// - a block whose first line is `// partial` (a fragment: elided options, a method out of its
//   class) contributes only its imports of this package, to <out-dir>/<doc>-<n>.imports.ts, so
//   every name the docs import exists (an import of a subpath the package does not export yet is
//   left out and reported as pending);
// - a ```ts or ```jsonc block whose first line is `// file: <path>` is a file of the app the
//   getting-started guide builds: it goes to <guide-dir>/<path>, for the consumer test to
//   compile and run as an app of its own (not to <out-dir>: its relative imports need the rest).
// Usage: node extract-doc-blocks.mjs <out-dir> [<guide-dir>]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';

const repo = new URL('../../', import.meta.url).pathname;
const [outDir, guideDir] = process.argv.slice(2);
const exported = new Set(
  Object.keys(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).exports ?? {}),
);
const FILE = /^\s*\/\/ file: (\S+)\s*$/;
const docs = [
  'README.md',
  ...readdirSync(join(repo, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
mkdirSync(outDir, { recursive: true });
const OWN_IMPORT = /^import\s[^;]*?from 'nestjs-session-security(\/[\w-]+)?';/gms;

let written = 0;
let skipped = 0;
let files = 0;
const pending = [];
for (const doc of docs) {
  const lines = readFileSync(join(repo, doc), 'utf8').split('\n');
  let block = null;
  let indent = '';
  let index = 0;
  for (const [number, line] of lines.entries()) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(line);
    if (block === null && fence && (fence[2] === 'ts' || fence[2] === 'jsonc')) {
      block = { start: number + 1, body: [], lang: fence[2] };
      indent = fence[1];
    } else if (block !== null && fence && fence[1] === indent && fence[2] === '') {
      index++;
      const header = `// ${doc}:${block.start + 1}\n`;
      const name = `${basename(doc, '.md')}-${index}`;
      const file = FILE.exec(block.body[0] ?? '');
      if (file) {
        if (guideDir) {
          const target = join(guideDir, file[1]);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, `${block.body.join('\n')}\n`);
        }
        files++;
      } else if (block.lang !== 'ts') {
        // a ```jsonc block without a file line is shown, not compiled
      } else if (/^\s*\/\/ partial\b/.test(block.body[0] ?? '')) {
        const imports = (block.body.join('\n').match(OWN_IMPORT) ?? []).filter((statement) => {
          const subpath = /from 'nestjs-session-security(\/[\w-]+)?'/.exec(statement)[1];
          if (subpath === undefined || exported.has(`.${subpath}`)) return true;
          pending.push(`${doc}:${block.start + 1} nestjs-session-security${subpath}`);
          return false;
        });
        writeFileSync(
          join(outDir, `${name}.imports.ts`),
          `${header}${imports.join('\n')}\nexport {};\n`,
        );
        skipped++;
      } else {
        writeFileSync(
          join(outDir, `${name}.ts`),
          `${header}${block.body.join('\n')}\nexport {};\n`,
        );
        written++;
      }
      block = null;
    } else if (block !== null) {
      block.body.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    }
  }
}
process.stdout.write(
  `doc blocks: ${written} type-checked whole, ${skipped} partial (imports only), ` +
    `${files} guide files${guideDir ? ` to ${guideDir}` : ' (not written)'}\n`,
);
for (const entry of pending) {
  process.stdout.write(`pending subpath, import not checked until it is exported: ${entry}\n`);
}
