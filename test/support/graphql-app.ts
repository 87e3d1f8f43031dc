import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable, Module, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  Args,
  Context,
  Field,
  GraphQLModule,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import request from 'supertest';
import {
  Can,
  CheckPolicies,
  CsrfService,
  CurrentSession,
  Public,
  RequireFreshAuth,
  SessionService,
  setSessionCookie,
  type ActiveSession,
  type SubjectLoader,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { openModuleDatabase } from './database.js';
import { testSessionModule } from './permission-app.js';

/** A note of the test app's domain: `ownerId` is the user who may read its `secret`. */
@ObjectType()
export class Note {
  @Field(() => ID) id!: string;
  @Field(() => String) text!: string;
  @Field(() => String) ownerId!: string;
}

const NOTES: Note[] = [
  { id: '1', text: 'first', ownerId: 'u-editor' },
  { id: '2', text: 'second', ownerId: 'u-other' },
];

/** Loads the note of the GraphQL argument `id`: a loader that reads GraphQL args. */
@Injectable()
export class NoteLoader implements SubjectLoader {
  load(_request: unknown, context: ExecutionContext): Note | null {
    const id = (context.getArgs()[1] as { id?: unknown } | undefined)?.id;
    return NOTES.find((note) => note.id === id) ?? null;
  }
}

/** The resolvers of the test app: one of each guarded shape the issue lists. */
@Resolver(() => Note)
export class NotesResolver {
  constructor(private readonly sessions: SessionService) {}

  @Public()
  @Query(() => String)
  ping(): string {
    return 'pong';
  }

  @Query(() => String)
  secret(@CurrentSession() session: ActiveSession): string {
    return `the secret of ${session.userId}`;
  }

  @Query(() => [Note])
  notes(): Note[] {
    return NOTES;
  }

  @Can('read', 'Note', NoteLoader)
  @Query(() => Note, { nullable: true })
  note(@Args('id', { type: () => ID }) id: string): Note | undefined {
    return NOTES.find((note) => note.id === id);
  }

  @Can('read', 'Report')
  @Query(() => String, { nullable: true })
  report(): string {
    return 'report';
  }

  @CheckPolicies((ability) => ability.can('manage', 'all'))
  @Query(() => Int, { nullable: true })
  noteCount(): number {
    return NOTES.length;
  }

  @Can('read', 'Secret')
  @ResolveField(() => String, { nullable: true })
  ownerEmail(): string {
    return 'owner@example.test';
  }

  /** How many times `touchNote` ran: a refused mutation must not run. */
  static touched = 0;

  /** A GraphQL sign-in: the cookie interceptor must write the new session's cookie. */
  @Public()
  @Mutation(() => Boolean)
  async signIn(
    @Args('userId', { type: () => String }) userId: string,
    @Context('req') req: object,
  ): Promise<boolean> {
    setSessionCookie(req, await this.sessions.create({ id: userId, roles: ['editor'] }));
    return true;
  }

  @Mutation(() => Note, { nullable: true })
  touchNote(@Args('id', { type: () => ID }) id: string): Note | undefined {
    NotesResolver.touched += 1;
    return NOTES.find((note) => note.id === id);
  }

  @RequireFreshAuth({ maxAge: '1m' })
  @Mutation(() => Boolean, { nullable: true })
  deleteEverything(): boolean {
    return true;
  }
}

/** The policy of the test app: editors read their own notes, admins manage everything. */
export const GRAPHQL_TEST_POLICY = {
  roles: {
    editor: [{ action: 'read', subject: 'Note', conditions: { ownerId: '${user.id}' } }],
    admin: [{ action: 'manage', subject: 'all' }],
  },
};

/** The HTTP adapters the GraphQL suite runs on. */
export type AdapterName = 'express' | 'fastify';

/** A session of the test app: its cookie header, CSRF token, public id and token hash. */
export interface SignedIn {
  cookie: string;
  csrf: string;
  id: string;
  tokenHash: string;
}

/** A running GraphQL test app. */
export interface GraphqlApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  clock: ManualClock;
  dataSource: DataSource;
  /** Signs a user in directly through the module's services (what a login route would do). */
  signIn(userId: string, roles: string[]): Promise<SignedIn>;
  close(): Promise<void>;
}

/**
 * Starts a small app that is not the example: `SessionSecurityModule.forRoot` on PostgreSQL
 * (`schema`) and Redis (`redisKeyPrefix`), Apollo code-first with `fieldResolverEnhancers:
 * ['guards']`, on Express or Fastify.
 */
export async function startGraphqlApp(
  adapter: AdapterName,
  schema: string,
  redisKeyPrefix: string,
): Promise<GraphqlApp> {
  const clock = new ManualClock();
  const dataSource = await openModuleDatabase(schema);

  @Module({
    imports: [
      testSessionModule(dataSource, redisKeyPrefix, clock, {
        policy: { document: GRAPHQL_TEST_POLICY },
      }),
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        fieldResolverEnhancers: ['guards'],
        graphiql: false,
        includeStacktraceInErrorResponses: false,
        parseOptions: { maxTokens: 5000 },
        // Express passes `{ req, res }`; Fastify passes `(request, reply)`: keep both.
        context: (first: { req?: object }, reply?: object) =>
          first.req ? first : { req: first, reply },
      }),
    ],
    providers: [NotesResolver, NoteLoader],
  })
  class GraphqlTestModule {}

  const options = { logger: false as const, abortOnError: false };
  const app =
    adapter === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(
          GraphqlTestModule,
          new FastifyAdapter(),
          options,
        )
      : await NestFactory.create(GraphqlTestModule, options);
  await app.init();
  if (adapter === 'fastify')
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();

  const sessions = app.get(SessionService);
  const csrf = app.get(CsrfService);
  return {
    app,
    http: request(app.getHttpServer()),
    clock,
    dataSource,
    async signIn(userId, roles) {
      const issued = await sessions.create(
        { id: userId, roles, tenantId: null },
        { ip: '127.0.0.1' },
      );
      return {
        cookie: `__Host-t=${issued.token}`,
        csrf: csrf.tokenFor(issued.tokenHash),
        id: issued.session.id,
        tokenHash: issued.tokenHash,
      };
    },
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
