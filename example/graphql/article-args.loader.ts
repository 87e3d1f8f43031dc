import { Injectable, type ExecutionContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SubjectLoader } from '../../src/index.js';
import { Article } from '../articles/article.entity.js';

/**
 * Loads the article of a resolver's `id` argument (`context.getArgs()[1]`), so `renameArticle`
 * is decided by the same policy as `PATCH /articles/:id`: on the article's author.
 */
@Injectable()
export class ArticleArgsLoader implements SubjectLoader {
  constructor(private readonly dataSource: DataSource) {}

  async load(_request: unknown, context: ExecutionContext): Promise<object | null> {
    const args = context.getArgs()[1] as { id?: unknown } | undefined;
    const id = typeof args?.id === 'string' && /^\d{1,9}$/.test(args.id) ? Number(args.id) : NaN;
    if (!Number.isSafeInteger(id)) return null;
    const article = await this.dataSource.getRepository(Article).findOneBy({ id });
    return article ? { ...article, authorId: String(article.authorId) } : null;
  }
}
