import { Reflector } from '@nestjs/core';
import { FreshAuthMetadata, RequireFreshAuth } from './require-fresh-auth.decorator.js';

const reflector = new Reflector();

function metadataOf(decorator: ClassDecorator) {
  class Target {}
  decorator(Target);
  return reflector.get(FreshAuthMetadata, Target);
}

describe('RequireFreshAuth', () => {
  it.each([
    [RequireFreshAuth(), {}],
    [RequireFreshAuth('5m'), { maxAgeMs: 300_000 }],
    [RequireFreshAuth(90_000), { maxAgeMs: 90_000 }],
    [RequireFreshAuth('2m', { level: 'mfa' }), { maxAgeMs: 120_000, level: 'mfa' }],
    [RequireFreshAuth(undefined, { level: 'mfa' }), { level: 'mfa' }],
    [RequireFreshAuth({ level: 'mfa' }), { level: 'mfa' }],
    [RequireFreshAuth({ maxAge: '1h', level: 'mfa' }), { maxAgeMs: 3_600_000, level: 'mfa' }],
  ])('stores the requirement in milliseconds (%#)', (decorator, expected) => {
    expect(metadataOf(decorator)).toEqual(expected);
  });

  it('rejects a bad duration when the decorator is applied, naming the decorator', () => {
    expect(() => RequireFreshAuth('soon')).toThrow(
      /@RequireFreshAuth\(\) maxAge: invalid duration "soon"/,
    );
    expect(() => RequireFreshAuth({ maxAge: 0 })).toThrow(/@RequireFreshAuth\(\) maxAge/);
  });

  it('rejects an empty level and misspelt options instead of ignoring them', () => {
    expect(() => RequireFreshAuth({ level: ' ' })).toThrow(/@RequireFreshAuth\(\) level/);
    expect(() => RequireFreshAuth({ maxage: '5m' } as never)).toThrow(
      /@RequireFreshAuth\(\): unknown option 'maxage'/,
    );
    expect(() => RequireFreshAuth('5m', { levl: 'mfa' } as never)).toThrow(/unknown option 'levl'/);
  });
});
