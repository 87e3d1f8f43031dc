import { MAX_BODY_DEPTH, bodyProblem, requestProblem } from './refuse-nul.js';

const NUL = 'NUL characters are not allowed';
const TOO_DEEP = `JSON body is nested deeper than ${MAX_BODY_DEPTH} levels`;
const arrays = (depth: number, inner: unknown = 1): unknown => {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('the example request check (NUL characters, nesting)', () => {
  it('accepts ordinary bodies and nesting up to the limit', () => {
    expect(bodyProblem({ title: 'a', tags: ['x', { y: null }] })).toBeNull();
    expect(bodyProblem(arrays(MAX_BODY_DEPTH))).toBeNull();
    expect(bodyProblem(undefined)).toBeNull();
  });

  it('finds a NUL in a value or a key at any depth within the limit', () => {
    expect(bodyProblem({ title: 'a\u0000b' })).toBe(NUL);
    expect(bodyProblem({ ['ti\u0000tle']: 'x' })).toBe(NUL);
    expect(bodyProblem(arrays(MAX_BODY_DEPTH - 1, { b: 'x\u0000' }))).toBe(NUL);
    expect(requestProblem('/me?type=a%00', {})).toBe(NUL);
  });

  it('refuses nesting past the limit without overflowing the stack, even 100,000 levels', () => {
    expect(bodyProblem(arrays(MAX_BODY_DEPTH + 1))).toBe(TOO_DEEP);
    expect(bodyProblem(arrays(100_000))).toBe(TOO_DEEP);
    expect(bodyProblem({ a: arrays(100_000, { b: 'x\u0000' }) })).toBe(TOO_DEEP);
  });
});
