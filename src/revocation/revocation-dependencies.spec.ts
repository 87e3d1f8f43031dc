import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(process.cwd(), 'src');

/** The relative imports of every non-test file under a folder of src/, resolved to src paths. */
function importsOf(folder: string): { file: string; target: string }[] {
  const found: { file: string; target: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]/g)) {
          const target = relative(SRC, resolve(dirname(path), m[1] ?? m[2]));
          found.push({ file: relative(SRC, path), target });
        }
      }
    }
  };
  walk(join(SRC, folder));
  return found;
}

describe('revocation and permission-changes depend one way', () => {
  it('revocation imports nothing from permission-changes (it records through a port)', () => {
    const imports = importsOf('revocation');
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => i.target.startsWith('permission-changes/'))).toEqual([]);
  });

  it('permission-changes implements the port revocation declares', () => {
    const targets = importsOf('permission-changes').map((i) => i.target);
    expect(targets).toContain('revocation/permission-change-log.port.js');
  });
});
