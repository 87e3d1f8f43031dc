import {
  Body,
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  Req,
  type INestApplication,
} from '@nestjs/common';
import { scryptSync, timingSafeEqual } from 'node:crypto';
import request from 'supertest';
import {
  Column,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import {
  CurrentSession,
  InvalidRequestException,
  Public,
  SessionLogin,
  sessionSecurityEntities,
  sessionSecurityMigrations,
  type ActiveSession,
  type SessionPrincipal,
  type SessionSecurityModuleOptions,
  type SessionUserDirectory,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { TEST_DATABASE_URL } from './database.js';
import { startNestApp } from './nest-app.js';
import { testSessionModule } from './permission-app.js';

/** The test app's own user: a numeric id, as `@PrimaryGeneratedColumn()` gives. */
@Entity('app_user')
export class AppUser {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  @Column({ type: 'varchar', length: 256 })
  passwordHash!: string;

  @Column({ type: 'simple-json' })
  roles!: string[];
}

/** The app's own migration, run after the module's. */
class CreateAppUsers1800000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "app_user" ("id" SERIAL PRIMARY KEY, "username" varchar(64) NOT NULL UNIQUE,
       "passwordHash" varchar(256) NOT NULL, "roles" text NOT NULL)`,
    );
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "app_user"`);
  }
}

const SALT = 'login-app';
const hash = (password: string) => scryptSync(password, SALT, 32).toString('base64url');

/** The app's user store and the module's user directory. */
@Injectable()
export class AppUsers implements SessionUserDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<SessionPrincipal | null> {
    return this.dataSource.getRepository(AppUser).findOneBy({ id: Number(id) });
  }

  async verify(username: string, password: string): Promise<AppUser | null> {
    const user = await this.dataSource.getRepository(AppUser).findOneBy({ username });
    const given = Buffer.from(hash(password));
    const ok = user !== null && timingSafeEqual(given, Buffer.from(user.passwordHash));
    return ok ? user : null;
  }
}

type Credentials = { username?: unknown; password?: unknown };

/** Login, re-authentication and logout through `SessionLogin`, as docs/login-throttling.md wires them. */
@Controller()
class AuthController {
  constructor(
    private readonly logins: SessionLogin,
    private readonly users: AppUsers,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(@Req() req: object, @Body() body: Credentials) {
    const { username, password } = body;
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new InvalidRequestException('Body must be {"username": string, "password": string}');
    }
    const signedIn = await this.logins.login(req, {
      username,
      verify: () => this.users.verify(username, password),
    });
    return { userId: signedIn.user.id, csrfToken: signedIn.csrfToken };
  }

  @Post('auth/reauth')
  @HttpCode(200)
  async reauth(
    @Req() req: object,
    @CurrentSession() session: ActiveSession,
    @Body() body: Credentials,
  ) {
    const user = await this.users.findById(session.userId);
    const username = (user as AppUser).username;
    const password = String(body.password);
    const signedIn = await this.logins.reauthenticate(req, {
      username,
      verify: async () => (await this.users.verify(username, password)) !== null,
    });
    return { csrfToken: signedIn.csrfToken };
  }

  @Get('profile')
  profile(@CurrentSession() session: ActiveSession) {
    return { userId: session.userId };
  }
}

/** A running login test app on its own schema and Redis prefix. */
export interface LoginApp {
  http: ReturnType<typeof request>;
  /** The Nest application, for getting the module's services. */
  app: INestApplication;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Starts a small app that is not the example: its own `app_user` table (numeric ids) with
 * `users` (username → password), the module with `options`, and the throttled login routes.
 */
export async function startLoginApp(
  schema: string,
  redisKeyPrefix: string,
  users: Record<string, string>,
  options: Partial<SessionSecurityModuleOptions> = {},
): Promise<LoginApp> {
  const dataSource = await new DataSource({
    type: 'postgres',
    url: TEST_DATABASE_URL,
    schema,
    extra: { options: `-c search_path=${schema}` },
    entities: [...sessionSecurityEntities, AppUser],
    migrations: [...sessionSecurityMigrations, CreateAppUsers1800000000000],
  }).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const repo = dataSource.getRepository(AppUser);
  for (const [username, password] of Object.entries(users)) {
    if (!(await repo.findOneBy({ username }))) {
      await repo.insert({ username, passwordHash: hash(password), roles: ['member'] });
    }
  }
  const directory = new AppUsers(dataSource);
  @Module({
    imports: [
      testSessionModule(dataSource, redisKeyPrefix, new ManualClock(), {
        users: directory,
        trustProxy: ['127.0.0.1/32', '::1/128', '::ffff:127.0.0.1/128'],
        ...options,
      }),
    ],
    controllers: [AuthController],
    providers: [{ provide: AppUsers, useValue: directory }],
  })
  class LoginTestModule {}
  const app = await startNestApp(LoginTestModule, { logger: false });
  return {
    http: request(app.getHttpServer()),
    app,
    dataSource,
    close: async () => {
      await app.close();
      await dataSource.destroy();
    },
  };
}
