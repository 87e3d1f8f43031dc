import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface PackEntry {
  files: { path: string }[];
}

interface Manifest {
  exports: Record<string, string | { types: string; default: string }>;
  bin?: unknown;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

describe('the packed tarball', () => {
  let files: string[];

  beforeAll(() => {
    // `npm pack` runs the prepack build, so the list is what a release would hold.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    files = (JSON.parse(out.slice(out.indexOf('['))) as PackEntry[])[0].files.map((f) => f.path);
  }, 120_000);

  it('holds only the compiled library, its declarations and the top-level docs', () => {
    const outside = files.filter((f) => !f.startsWith('dist/src/'));
    expect(outside.sort()).toEqual(['CHANGELOG.md', 'README.md', 'package.json']);
    expect(files.filter((f) => !/\.(js|d\.ts)$/.test(f) && f.startsWith('dist/'))).toEqual([]);
  });

  it('ships no tests, bench, example, docs images or CI files', () => {
    const forbidden = /(^|\/)(test|bench|example|docs|\.ci)\/|\.spec\.|e2e-spec|\.png$/;
    expect(files.filter((f) => forbidden.test(f))).toEqual([]);
  });

  it('ships the CLI: the bin file (with its shebang), the ./cli entry, and what the CLI imports', () => {
    expect(manifest.bin).toEqual({ 'session-security': 'dist/src/cli/main.js' });
    expect(files).toContain('dist/src/cli/main.js');
    expect(readFileSync('dist/src/cli/main.js', 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(
      true,
    );
    expect(manifest.exports['./cli']).toEqual({
      types: './dist/src/cli/index.d.ts',
      default: './dist/src/cli/index.js',
    });
    const cliImports = files
      .filter((f) => f.startsWith('dist/src/cli/') && f.endsWith('.js'))
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/from '([^.][^']*)'/g)].map((m) => m[1]),
      );
    for (const name of ['commander', 'cli-progress']) {
      expect(cliImports).toContain(name);
      expect(manifest.dependencies[name]).toBeDefined();
    }
    expect(cliImports.filter((name) => name.includes('example'))).toEqual([]);
  });

  it('contains every file the exports map points at', () => {
    const targets = Object.values(manifest.exports).flatMap((t) =>
      typeof t === 'string' ? [t] : [t.types, t.default],
    );
    expect(Object.keys(manifest.exports)).toEqual(
      expect.arrayContaining([
        '.',
        './websocket',
        './socket-io',
        './queue-dashboard',
        './passport',
        './testing',
        './policy-tools',
        './cli',
      ]),
    );
    for (const target of targets) expect(files).toContain(target.replace(/^\.\//, ''));
  });
});

describe('the manifest', () => {
  it('makes the frameworks the app brings peers, not dependencies', () => {
    const peers = ['@nestjs/common', '@nestjs/core', 'typeorm', '@casl/ability', 'bull', 'rxjs'];
    for (const name of [...peers, 'reflect-metadata', 'ioredis']) {
      expect(manifest.peerDependencies[name]).toBeDefined();
      expect(manifest.dependencies[name]).toBeUndefined();
      expect(manifest.peerDependenciesMeta[name]).toBeUndefined();
    }
  });

  it("needs no Nest queue integration: every queue is on the module's own jobs layer", () => {
    for (const section of ['dependencies', 'peerDependencies', 'devDependencies'] as const) {
      expect(manifest[section]['@nestjs/bull']).toBeUndefined();
    }
  });

  it('marks each optional integration and database driver as an optional peer', () => {
    const optional = ['@nestjs/passport', 'passport', 'passport-strategy', '@bull-board/api'];
    optional.push('@bull-board/express', '@bull-board/fastify', '@nestjs/websockets', 'ws');
    optional.push('@nestjs/platform-ws', '@nestjs/platform-socket.io', 'pg', 'better-sqlite3');
    for (const name of optional) {
      expect(manifest.peerDependencies[name]).toBeDefined();
      expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
    for (const exampleOnly of ['helmet', 'passport-local', '@nestjs/typeorm']) {
      expect(manifest.dependencies[exampleOnly]).toBeUndefined();
    }
  });
});
