import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding the example's pages (`example/web`), found both from the TypeScript
 * sources (tests) and from the compiled `dist/example` that `npm start` runs.
 *
 * @example app.useStaticAssets(`${webRoot()}/assets`, { prefix: '/assets/' });
 */
export function webRoot(): string {
  for (const relative of ['../web', '../../../example/web']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  throw new Error('example/web/index.html not found: the pages of the example app are missing');
}
