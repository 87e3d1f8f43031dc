import type { FastifyRequest } from 'fastify';
import { InvalidRequestException } from '../../src/index.js';
import { jsonBodyParser } from './json-body.parser.js';

function parse(text: string): { error: Error | null; body?: unknown } {
  let result: { error: Error | null; body?: unknown } = { error: null };
  jsonBodyParser({} as FastifyRequest, text, (error, body) => (result = { error, body }));
  return result;
}

describe('the example JSON body parser on Fastify (as Express parses)', () => {
  it('parses objects and arrays', () => {
    expect(parse('{"title":"a"}')).toEqual({ error: null, body: { title: 'a' } });
    expect(parse(' [1,2]')).toEqual({ error: null, body: [1, 2] });
  });

  it('takes an empty body as {}', () => {
    expect(parse('')).toEqual({ error: null, body: {} });
    expect(parse('  \n')).toEqual({ error: null, body: {} });
  });

  it.each(['"text"', '42', 'null', '{"title":', '{bad}'])(
    'refuses %s with 400 invalid_request "Malformed JSON body"',
    (text) => {
      const { error } = parse(text);
      expect(error).toBeInstanceOf(InvalidRequestException);
      expect((error as InvalidRequestException).getStatus()).toBe(400);
      expect((error as InvalidRequestException).getResponse()).toMatchObject({
        error: 'invalid_request',
        message: 'Malformed JSON body',
      });
    },
  );
});
