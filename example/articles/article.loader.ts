import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import type { SubjectLoader } from '../../src/index.js';
import { Article } from './article.entity.js';

/** Loads the article of `:id` so the policy checks the instance (its author), not just the type. */
@Injectable()
export class ArticleLoader implements SubjectLoader {
  constructor(private readonly dataSource: DataSource) {}

  async load(request: Request): Promise<object | null> {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id)) return null;
    const article = await this.dataSource.getRepository(Article).findOneBy({ id });
    return article ? { ...article, authorId: String(article.authorId) } : null;
  }
}
