import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cycles,
  folderGraph,
  folderOf,
  importEdges,
  layerViolations,
  relativeSpecifiers,
  type LayerRule,
} from '../test/support/import-graph.js';

/**
 * The folder map of docs/architecture.md, bottom layer first. A folder may import any folder of a
 * lower layer; within its own layer only the pairs of SAME_LAYER. `(root)` is src/*.ts (the
 * module, its definition, the schema lists and the public index).
 */
const LAYERS: Record<string, string[]> = {
  core: ['common', 'errors', 'events', 'network', 'migrations'],
  foundation: ['surfaces', 'options', 'jobs'],
  session: ['session'],
  http: ['http'],
  features: [
    'audit',
    'csrf',
    'fresh-auth',
    'health',
    'impersonation',
    'live',
    'login',
    'notifications',
    'permission-changes',
    'policy',
    'policy-changes',
    'policy-review',
    'policy-testing',
    'revocation',
    'throttle',
  ],
  integrations: ['cli', 'passport', 'queue-dashboard', 'testing', 'websocket'],
  module: ['module-options', '(root)'],
};

/** Imports within one layer, each in the one direction allowed. */
const SAME_LAYER = [
  'options -> surfaces',
  'login -> csrf',
  'login -> throttle',
  'permission-changes -> notifications',
  'revocation -> notifications',
  'revocation -> fresh-auth',
  // Permission changes call RevocationService and implement its PermissionChangeLog port;
  // revocation announces a change with an event and imports nothing of permission-changes.
  'permission-changes -> revocation',
  // Policy test suites run the engine's PolicyService; the engine knows nothing of them.
  'policy-testing -> policy',
  // A policy change is put in force by the engine and forces re-authentication through
  // RevocationService; neither knows of it.
  'policy-changes -> policy',
  'policy-changes -> revocation',
  // The permission review reads the engine's rules and the audit trail.
  'policy-review -> policy',
  'policy-review -> audit',
  '(root) -> module-options',
];

const SRC = fileURLToPath(new URL('.', import.meta.url));
const rule: LayerRule = {
  layers: Object.fromEntries(
    Object.values(LAYERS).flatMap((folders, layer) => folders.map((f) => [f, layer])),
  ),
  sameLayer: new Set(SAME_LAYER),
};

describe('the folder layout of src/', () => {
  const edges = importEdges(SRC);

  it('has no import cycle between folders', () => {
    expect(cycles(folderGraph(edges))).toEqual([]);
  });

  it('imports only down the layers of docs/architecture.md', () => {
    expect(layerViolations(edges, rule)).toEqual([]);
  });

  it('imports nothing outside src/ (never the example app)', () => {
    expect(edges.filter((e) => e.to.startsWith('../')).map((e) => `${e.from} -> ${e.to}`)).toEqual(
      [],
    );
  });

  it('gives every folder of src/ a layer', () => {
    const folders = fs
      .readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => rule.layers[folder] === undefined)).toEqual([]);
  });

  it('is the layout docs/architecture.md describes', () => {
    const doc = fs.readFileSync(path.join(SRC, '..', 'docs', 'architecture.md'), 'utf8');
    const documented: Record<string, string[]> = {};
    for (const [, folder, layer] of doc.matchAll(/^\|\s*`([^`]+)`\s*\|\s*(\w+)\s*\|/gm)) {
      (documented[layer] ??= []).push(folder);
    }
    const sorted = (table: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(table).map(([k, v]) => [k, [...v].sort()]));
    expect(sorted(documented)).toEqual(sorted(LAYERS));
    const pairs = [...doc.matchAll(/`([\w()-]+ -> [\w()-]+)`/g)].map((m) => m[1]);
    expect([...new Set(pairs)].sort()).toEqual([...SAME_LAYER].sort());
  });
});

describe('the import checker', () => {
  it('reads static, side-effect, dynamic and require imports and augmentations, not comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "import './d.js';",
      "const e = await import('./e.js');",
      "const f = require('./f.js');",
      "declare module '../g/g.js' { interface G { x: number } }",
      "// import { h } from './h.js';",
      "import { z } from 'zod';",
    ].join('\n');
    expect(relativeSpecifiers(text).sort()).toEqual(
      ['../b/b.js', '../g/g.js', './a.js', './c.js', './d.js', './e.js', './f.js'].sort(),
    );
  });

  it('finds a cycle through three folders and none in a chain', () => {
    const graph = (pairs: string[][]) =>
      folderGraph(pairs.map(([from, to]) => ({ from: `${from}/x.ts`, to: `${to}/y.ts` })));
    expect(
      cycles(
        graph([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
          ['c', 'd'],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
    expect(
      cycles(
        graph([
          ['a', 'b'],
          ['b', 'c'],
        ]),
      ),
    ).toEqual([]);
  });

  it('reports an upward import, an unlisted same-layer import and an unknown folder', () => {
    const small: LayerRule = {
      layers: { low: 0, mid: 1, side: 1, high: 2 },
      sameLayer: new Set(['mid -> side']),
    };
    const problems = layerViolations(
      [
        { from: 'high/h.ts', to: 'mid/m.ts' },
        { from: 'mid/m.ts', to: 'side/s.ts' },
        { from: 'mid/m.ts', to: 'mid/n.ts' },
        { from: 'low/l.ts', to: 'high/h.ts' },
        { from: 'side/s.ts', to: 'mid/m.ts' },
        { from: 'new/n.ts', to: 'low/l.ts' },
      ],
      small,
    );
    expect(problems).toEqual([
      "low/l.ts -> high/h.ts: 'low' (layer 0) imports a higher layer (2)",
      "side/s.ts -> mid/m.ts: 'side -> mid' is not an allowed import within layer 1",
      "new/n.ts -> low/l.ts: folder 'new' has no layer in docs/architecture.md",
    ]);
    expect(folderOf('index.ts')).toBe('(root)');
  });
});
