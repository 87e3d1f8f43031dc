import fc from 'fast-check';
import { interpolate, scanTemplates } from './condition-template.js';

describe('condition templates', () => {
  it('finds the whitelisted paths a condition uses', () => {
    const { paths, problems } = scanTemplates({
      authorId: '${user.id}',
      tenantId: { $in: ['${ user.tenantId }'] },
    });
    expect([...paths].sort()).toEqual(['user.id', 'user.tenantId']);
    expect(problems).toEqual([]);
  });

  it.each([
    ['${user.password}'],
    ['${constructor.constructor("return process")()}'],
    ['prefix-${user.id}'],
    ['${user.id}${user.id}'],
  ])('refuses %p instead of evaluating it', (template) => {
    expect(scanTemplates({ a: [template] }).problems).toEqual([
      { path: ['a', 0], message: expect.stringContaining('unsupported template') },
    ]);
  });

  it('substitutes typed values, never text, and leaves the source untouched', () => {
    const source = { authorId: '${user.id}', tags: { $all: ['x', '${user.tenantId}'] } };
    const { value, missing } = interpolate(source, { id: 42, roles: [], tenantId: 'acme' });
    expect(value).toEqual({ authorId: 42, tags: { $all: ['x', 'acme'] } });
    expect(missing).toBe(false);
    expect(source.authorId).toBe('${user.id}');
  });

  it('flags a value the user does not have', () => {
    const result = interpolate({ tenantId: '${user.tenantId}' }, { id: '1', roles: [] });
    expect(result).toEqual({ value: { tenantId: null }, missing: true });
  });

  it('puts any attribute value in verbatim, whatever characters it holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer()), fc.string(), (id, literal) => {
        fc.pre(!literal.includes('${'));
        const { value } = interpolate({ a: '${user.id}', b: literal }, { id, roles: [] });
        expect(value).toEqual({ a: id, b: literal });
      }),
    );
  });
});
