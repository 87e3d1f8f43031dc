import { Controller, Get, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Can, RequireFreshAuth, type SubjectLoader } from '../src/index.js';

/**
 * Loads the article the (c) route is about: owned by the bench user, so the condition holds,
 * unless `?author=` names someone else — the runner uses that to prove the condition is checked.
 */
@Injectable()
export class ArticleLoader implements SubjectLoader {
  load(request: Request) {
    const author = request.query.author;
    return { id: 'a-1', authorId: typeof author === 'string' ? author : '2', title: 'bench' };
  }
}

/** (c) The ping handler behind `@Can` with a loaded subject and `@RequireFreshAuth`. */
@Controller('bench')
export class PolicyPingController {
  @Can('read', 'Article', ArticleLoader)
  @RequireFreshAuth('1h')
  @Get('ping')
  ping() {
    return { ok: true };
  }
}
