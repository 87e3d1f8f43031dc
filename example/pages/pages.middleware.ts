import type { RequestHandler } from 'express';
import { webRoot } from './web-root.js';

/** Page path → its HTML file in `example/web`. */
export const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/app/security': 'security.html',
  '/app/notifications': 'notifications.html',
  '/app/password': 'password.html',
  '/app/operations': 'operations.html',
  '/app/audit': 'audit.html',
  '/app/review': 'review.html',
  '/app/help': 'help.html',
};

/**
 * Serves the example's HTML pages (`/`, `/app/*`) for GET and HEAD; anything else goes on to
 * the app. The pages hold no data — their scripts call the JSON API — so they sit in front of
 * the module's guards: a dead session cookie reaches the page's first API call, which can then
 * say why the user is signed out, instead of being cleared silently by the HTML request. Range
 * requests are answered with the whole page (a 416 would go out under the page's content type).
 *
 * @example app.use(servePages());
 */
export function servePages(root = webRoot()): RequestHandler {
  return (request, response, next) => {
    const page = Object.hasOwn(PAGES, request.path) ? PAGES[request.path] : undefined;
    if (!page || (request.method !== 'GET' && request.method !== 'HEAD')) return next();
    const options = { root, acceptRanges: false, headers: { 'Cache-Control': 'no-cache' } };
    response.sendFile(page, options, (error) => {
      if (error) next(error);
    });
  };
}
