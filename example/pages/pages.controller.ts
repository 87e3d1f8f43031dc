import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../src/index.js';
import { NotFound } from '../not-found.js';
import { webRoot } from './web-root.js';

/** Page name under `/app/` → its HTML file in `example/web`. */
const PAGES: Record<string, string> = {
  security: 'security.html',
  notifications: 'notifications.html',
  password: 'password.html',
  operations: 'operations.html',
  audit: 'audit.html',
};

/**
 * Serves the example's HTML pages: `/` (sign in) and `/app/<page>`. The pages hold no data
 * (their scripts call the JSON API), so they are public; assets come from `/assets/`.
 */
@Public()
@Controller()
export class PagesController {
  private readonly root = webRoot();

  @Get()
  signIn(@Res() response: Response): void {
    this.send(response, 'index.html');
  }

  @Get('app/:page')
  page(@Param('page') page: string, @Res() response: Response): void {
    if (!Object.hasOwn(PAGES, page)) throw new NotFound('No such page');
    this.send(response, PAGES[page]);
  }

  private send(response: Response, file: string): void {
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(file, { root: this.root });
  }
}
