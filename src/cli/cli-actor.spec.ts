import { userInfo } from 'node:os';
import { cliActor } from './cli-actor.js';
import { CliExit } from './cli-io.js';

describe('cliActor', () => {
  it('is --actor when given, else cli:<os user>, never unknown', () => {
    expect(cliActor('  ops:jane ')).toBe('ops:jane');
    expect(cliActor(undefined)).toBe(`cli:${userInfo().username}`);
    expect(cliActor(undefined)).not.toBe('cli:unknown');
  });

  it('refuses an empty, overlong or control-character actor (exit 2)', () => {
    for (const bad of ['', ' ', 'x'.repeat(129), 'a\nb']) {
      expect(() => cliActor(bad)).toThrow(CliExit);
      try {
        cliActor(bad);
      } catch (error) {
        expect((error as CliExit).code).toBe(2);
        expect((error as Error).message).toContain('--actor');
      }
    }
  });
});
