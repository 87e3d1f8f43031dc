import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ArticleArgsLoader } from './article-args.loader.js';
import { ArticlesResolver } from './articles.resolver.js';
import { depthLimit } from './depth-limit.rule.js';
import { MeResolver } from './me.resolver.js';

/**
 * `POST /graphql` of the example (Apollo, code-first, schema in memory): `me`, `articles` and
 * `renameArticle`, behind the module's global guards like every route. No landing page, no
 * introspection in production, no stack traces in errors; operations are capped at 2,000 tokens
 * and 8 levels of nesting.
 */
@Module({})
export class ExampleGraphqlModule {
  /** `users` is the module that provides `DataSource` and `UsersService` to the resolvers. */
  static register(users: DynamicModule): DynamicModule {
    return {
      module: ExampleGraphqlModule,
      imports: [
        users,
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          fieldResolverEnhancers: ['guards', 'filters'],
          graphiql: false,
          introspection: process.env.NODE_ENV !== 'production',
          includeStacktraceInErrorResponses: false,
          parseOptions: { maxTokens: 2000 },
          validationRules: [depthLimit(8)],
          // Express passes `{ req, res }`, Fastify `(request, reply)`: the module writes cookies
          // and headers to either.
          context: (first: { req?: object }, reply?: object) =>
            first.req ? first : { req: first, reply },
        }),
      ],
      providers: [MeResolver, ArticlesResolver, ArticleArgsLoader],
    };
  }
}
