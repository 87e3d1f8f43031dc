import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Can, InvalidRequestException } from '../../src/index.js';
import { Article } from './article.entity.js';
import { ArticleLoader } from './article.loader.js';

const update = z.object({ title: z.string().min(1).max(200) }).strict();

@Controller()
export class ArticlesController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('articles')
  list(): Promise<Article[]> {
    return this.dataSource.getRepository(Article).find({ order: { id: 'ASC' } });
  }

  /** Editors may update only their own articles, admins any, viewers none. */
  @Can('update', 'Article', ArticleLoader)
  @Patch('articles/:id')
  async update(@Param('id') id: string, @Body() body: unknown): Promise<Article> {
    const parsed = update.safeParse(body);
    if (!parsed.success) throw new InvalidRequestException('Body must be {"title": string}');
    const repo = this.dataSource.getRepository(Article);
    await repo.update({ id: Number(id) }, { title: parsed.data.title });
    return repo.findOneByOrFail({ id: Number(id) });
  }

  /** Allowed by the built-in policy to admins and, during office hours, editors. */
  @Can('read', 'Report')
  @Get('reports')
  reports() {
    return [{ id: 'weekly', title: 'Sessions per day', rows: [] }];
  }
}
