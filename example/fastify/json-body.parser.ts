import type { FastifyRequest } from 'fastify';
import { InvalidRequestException } from '../../src/index.js';

/**
 * Parses JSON bodies on Fastify as Express's JSON body parser does in the example: an empty
 * body is `{}`, only an object or an array is accepted at the top level, and anything else is
 * 400 `invalid_request` "Malformed JSON body" in the module's error shape.
 *
 * @example fastify.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser);
 */
export function jsonBodyParser(
  _request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, body?: unknown) => void,
): void {
  const text = String(body);
  if (text.trim() === '') return done(null, {});
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return done(malformed());
  try {
    done(null, JSON.parse(text));
  } catch {
    done(malformed());
  }
}

function malformed(): Error {
  return new InvalidRequestException('Malformed JSON body');
}
