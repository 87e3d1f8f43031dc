// Extracts the ```ts blocks of README.md and docs/*.md for the consumer app to type-check against
// the published API: a whole block goes to <out-dir>/<doc>-<n>.ts; a block whose first line is
// `// partial` (a fragment: elided options, a method out of its class) contributes only its
// imports of this package, to <out-dir>/<doc>-<n>.imports.ts, so every name the docs import exists.
// Usage: node extract-doc-blocks.mjs <out-dir>
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';

const repo = new URL('../../', import.meta.url).pathname;
const outDir = process.argv[2];
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
for (const doc of docs) {
  const lines = readFileSync(join(repo, doc), 'utf8').split('\n');
  let block = null;
  let indent = '';
  let index = 0;
  for (const [number, line] of lines.entries()) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(line);
    if (block === null && fence && fence[2] === 'ts') {
      block = { start: number + 1, body: [] };
      indent = fence[1];
    } else if (block !== null && fence && fence[1] === indent && fence[2] === '') {
      index++;
      const header = `// ${doc}:${block.start + 1}\n`;
      const name = `${basename(doc, '.md')}-${index}`;
      if (/^\s*\/\/ partial\b/.test(block.body[0] ?? '')) {
        const imports = block.body.join('\n').match(OWN_IMPORT) ?? [];
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
  `doc blocks: ${written} type-checked whole, ${skipped} partial (imports only)\n`,
);
