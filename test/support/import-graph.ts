import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One relative import of a source file: who imports what, both relative to the root. */
export interface ImportEdge {
  from: string;
  to: string;
}

/** The folder a file belongs to: its first path segment under the root, `(root)` for top files. */
export function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0] : '(root)';
}

/** Every `.ts` file under `root` (relative, `/`-separated) except unit specs. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(entry.name)) {
        files.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return files.sort();
}

/**
 * The relative module references of one file's text — static imports and re-exports, side-effect
 * imports, `import()`, `require()` and `declare module` augmentations — as TypeScript itself
 * reads them (comments and strings are not mistaken for imports).
 */
export function relativeSpecifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return [
    ...info.importedFiles,
    ...(info.ambientExternalModules ?? []).map((fileName) => ({ fileName })),
  ]
    .map((ref) => ref.fileName)
    .filter((name) => name.startsWith('.'));
}

/** The imports between files of `root`; a specifier's `.js` suffix names its `.ts` source. */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const specifier of relativeSpecifiers(text)) {
      const target = path.posix.normalize(
        path.posix.join(path.posix.dirname(file), specifier.replace(/\.js$/, '.ts')),
      );
      edges.push({ from: file, to: target });
    }
  }
  return edges;
}

/** Folder → the folders it imports, from file edges (imports inside one folder are left out). */
export function folderGraph(edges: ImportEdge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components of more than one node, sorted. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The layer rule: each folder's layer, and the same-layer imports that are allowed (`a -> b`). */
export interface LayerRule {
  /** Folder → layer number; a folder may import any folder of a lower layer. */
  layers: Record<string, number>;
  /** `from -> to` pairs of one layer that may import each other in that direction. */
  sameLayer: ReadonlySet<string>;
}

/**
 * The file imports that break the rule, one line each (`a/x.ts -> b/y.ts: why`): an import of a
 * higher layer, an unlisted import within a layer, or a file in a folder the rule does not name.
 */
export function layerViolations(edges: ImportEdge[], rule: LayerRule): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) continue;
    const la = rule.layers[a];
    const lb = rule.layers[b];
    if (la === undefined || lb === undefined) {
      const unknown = la === undefined ? a : b;
      problems.push(`${from} -> ${to}: folder '${unknown}' has no layer in docs/architecture.md`);
    } else if (lb > la) {
      problems.push(`${from} -> ${to}: '${a}' (layer ${la}) imports a higher layer (${lb})`);
    } else if (lb === la && !rule.sameLayer.has(`${a} -> ${b}`)) {
      problems.push(`${from} -> ${to}: '${a} -> ${b}' is not an allowed import within layer ${la}`);
    }
  }
  return problems;
}
