import { Module } from '@nestjs/common';
import { cliConfigProblem, cliModuleOf, defineSessionSecurityCli } from './define-cli.js';

@Module({})
class AppModule {}

describe('defineSessionSecurityCli', () => {
  it('accepts a module class, a dynamic module or a function of the mode', async () => {
    expect(await cliModuleOf(defineSessionSecurityCli({ module: AppModule }), 'command')).toBe(
      AppModule,
    );
    const dynamic = { module: AppModule, providers: [] };
    expect(await cliModuleOf(defineSessionSecurityCli({ module: dynamic }), 'worker')).toBe(
      dynamic,
    );
    const seen: string[] = [];
    const config = defineSessionSecurityCli({
      module: async (mode) => {
        seen.push(mode);
        return dynamic;
      },
    });
    expect(await cliModuleOf(config, 'worker')).toBe(dynamic);
    expect(seen).toEqual(['worker']);
  });

  it('names the bad key of a malformed config', () => {
    expect(cliConfigProblem(undefined)).toBe('not an object');
    expect(cliConfigProblem({})).toMatch(/^module: required/);
    expect(cliConfigProblem({ module: 'AppModule' })).toMatch(/^module: required/);
    expect(cliConfigProblem({ module: AppModule, logger: 'error' })).toMatch(/^logger:/);
    expect(cliConfigProblem({ module: AppModule, before: 1 })).toMatch(/^before:/);
    expect(() => defineSessionSecurityCli({} as never)).toThrow(
      'defineSessionSecurityCli: module: required',
    );
  });
});
