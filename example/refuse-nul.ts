import type { RequestHandler } from 'express';
import { InvalidRequestException } from '../src/index.js';

/** Deepest nesting of arrays and objects a JSON body may have; no route needs more than a few. */
export const MAX_BODY_DEPTH = 64;

/**
 * 400 `invalid_request` for a NUL character anywhere in the URL (path or query, as `%00`) or in
 * a string of the JSON body, and for a body nested deeper than {@link MAX_BODY_DEPTH}. No id,
 * name, title or password needs one, and PostgreSQL text refuses NUL, so without this check it
 * would reach the database and come back as a 500. Register it after the JSON body parser.
 *
 * @example app.useBodyParser('json'); app.use(refuseNul());
 */
export function refuseNul(): RequestHandler {
  return (request, _response, next) => {
    const problem = requestProblem(request.url, request.body);
    next(problem ? new InvalidRequestException(problem) : undefined);
  };
}

/**
 * Why a request's URL or parsed body is refused (the 400 message), or `null` when it is fine.
 * Shared by the Express middleware and the Fastify `preValidation` hook.
 *
 * @example requestProblem('/a%00', {}) // 'NUL characters are not allowed'
 */
export function requestProblem(url: string, body: unknown): string | null {
  if (/%00/i.test(url)) return 'NUL characters are not allowed';
  return bodyProblem(body);
}

/**
 * Walks a parsed JSON value without recursion (so any nesting is safe to inspect) and says why
 * it is refused: nested deeper than {@link MAX_BODY_DEPTH}, or a NUL in any string, key included.
 *
 * @example bodyProblem({ title: 'a\u0000b' }) // 'NUL characters are not allowed'
 */
export function bodyProblem(value: unknown): string | null {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return 'NUL characters are not allowed';
    } else if (item !== null && typeof item === 'object') {
      if (depth >= MAX_BODY_DEPTH)
        return `JSON body is nested deeper than ${MAX_BODY_DEPTH} levels`;
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return 'NUL characters are not allowed';
        pending.push([child, depth + 1]);
      }
    }
  }
  return null;
}
