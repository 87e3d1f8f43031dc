import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { Can, InvalidRequestException } from '../../src/index.js';
import { Article } from '../articles/article.entity.js';
import { ArticleArgsLoader } from './article-args.loader.js';
import { ArticleModel, toArticleModel } from './article.model.js';

/** `articles` and `renameArticle`: the GraphQL face of `GET /articles` and `PATCH /articles/:id`. */
@Resolver(() => ArticleModel)
export class ArticlesResolver {
  constructor(private readonly dataSource: DataSource) {}

  @Query(() => [ArticleModel])
  async articles(): Promise<ArticleModel[]> {
    const rows = await this.dataSource.getRepository(Article).find({ order: { id: 'ASC' } });
    return rows.map(toArticleModel);
  }

  /** Editors may rename only their own articles, admins any, viewers none. */
  @Can('update', 'Article', ArticleArgsLoader)
  @Mutation(() => ArticleModel, { nullable: true })
  async renameArticle(
    @Args('id', { type: () => ID }) id: string,
    @Args('title', { type: () => String }) title: string,
  ): Promise<ArticleModel> {
    if (title.length < 1 || title.length > 200) {
      throw new InvalidRequestException('title must be 1 to 200 characters');
    }
    const repo = this.dataSource.getRepository(Article);
    await repo.update({ id: Number(id) }, { title });
    return toArticleModel(await repo.findOneByOrFail({ id: Number(id) }));
  }
}
