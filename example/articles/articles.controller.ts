import { Controller, Get } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Article } from './article.entity.js';

@Controller('articles')
export class ArticlesController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  list(): Promise<Article[]> {
    return this.dataSource.getRepository(Article).find({ order: { id: 'ASC' } });
  }
}
