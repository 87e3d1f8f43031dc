import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePolicyTests } from './describe-policy-tests.js';

type Body = () => void | Promise<void>;

/** Calls describePolicyTests with recording describe/it/beforeAll instead of Jest's own. */
function collect(call: () => void): { tests: Map<string, Body>; setup: Body[] } {
  const tests = new Map<string, Body>();
  const setup: Body[] = [];
  const saved = { describe, it, beforeAll };
  Object.assign(globalThis, {
    describe: (_name: string, body: () => void) => body(),
    it: (name: string, body: Body) => tests.set(name, body),
    beforeAll: (body: Body) => setup.push(body),
  });
  try {
    call();
  } finally {
    Object.assign(globalThis, saved);
  }
  return { tests, setup };
}

describe('describePolicyTests (the Jest helper)', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ss-describe-policy-'));
    file = join(dir, 'app.policy-tests.yaml');
    await writeFile(
      file,
      [
        'defaults: { at: 2026-03-02T10:00Z }',
        'tests:',
        '  - { name: viewers read, as: { id: 1, roles: [viewer] }, action: read, subject: Article, expect: allow }',
        '  - { name: viewers edit, as: { id: 1, roles: [viewer] }, action: update, subject: Article, expect: allow }',
      ].join('\n'),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const policy = {
    roles: {
      viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }],
      editor: [{ id: 'editor-update', action: 'update', subject: 'Article' }],
    },
  };

  it('registers one test per case; a wrong expectation fails with the diff and the trace', async () => {
    const { tests, setup } = collect(() => describePolicyTests(file, { policy }));
    expect([...tests.keys()]).toEqual([
      'viewers read',
      'viewers edit',
      'exercises every rule and every when branch',
    ]);
    for (const body of setup) await body();
    await tests.get('viewers read')!();
    let failure: Error | undefined;
    try {
      await tests.get('viewers edit')!();
    } catch (error) {
      failure = error as Error;
    }
    expect(failure?.message).toContain('✗ viewers edit');
    expect(failure?.message).toContain('- decision: allow\n    + decision: deny');
    expect(failure?.message).toContain('denied: update Article, no rule decided');
  });

  it('fails the coverage test while a rule never decided, unless coverage is not required', async () => {
    const { tests, setup } = collect(() => describePolicyTests(file, { policy }));
    for (const body of setup) await body();
    await expect(
      (async () => tests.get('exercises every rule and every when branch')!())(),
    ).rejects.toThrow("options: rule 'editor-update' (editor) never decided a test");
    const relaxed = collect(() => describePolicyTests(file, { policy, requireCoverage: false }));
    expect(relaxed.tests.has('exercises every rule and every when branch')).toBe(false);
  });

  it('refuses to run outside Jest', () => {
    const saved = globalThis.describe;
    Object.assign(globalThis, { describe: undefined });
    try {
      expect(() => describePolicyTests(file, { policy })).toThrow('call it in a Jest test file');
    } finally {
      Object.assign(globalThis, { describe: saved });
    }
  });
});
