import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { Article } from '../articles/article.entity.js';

/** An article in the example's GraphQL schema; ids are GraphQL `ID`s (strings). */
@ObjectType('Article')
export class ArticleModel {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => ID) authorId!: string;
}

/** The GraphQL view of an article row. */
export function toArticleModel(article: Article): ArticleModel {
  return { id: String(article.id), title: article.title, authorId: String(article.authorId) };
}
