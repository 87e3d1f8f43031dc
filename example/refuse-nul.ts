import type { RequestHandler } from 'express';
import { InvalidRequestException } from '../src/index.js';

/**
 * 400 `invalid_request` for a NUL character anywhere in the URL (path or query, as `%00`) or in
 * a string of the JSON body. No id, name, title or password needs one, and PostgreSQL text
 * refuses it, so without this check it would reach the database and come back as a 500.
 * Register it after the JSON body parser.
 *
 * @example app.useBodyParser('json'); app.use(refuseNul());
 */
export function refuseNul(): RequestHandler {
  return (request, _response, next) => {
    if (/%00/i.test(request.url) || holdsNul(request.body)) {
      return next(new InvalidRequestException('NUL characters are not allowed'));
    }
    next();
  };
}

/**
 * Whether a parsed JSON value holds a NUL in any string, key included.
 *
 * @example holdsNul({ title: 'a\u0000b' }) // true
 */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item));
  }
  return false;
}
