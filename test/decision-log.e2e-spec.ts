import { randomBytes } from 'node:crypto';
import { Controller, Get, Injectable, Param } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AuditService, Can, SessionService, type SubjectLoader } from '../src/index.js';
import {
  DecisionLog,
  type DecisionLogSink,
  type PolicyDecisionRecord,
} from '../src/policy-tools.js';
import { createSchema, openModuleDatabase, TEST_REDIS_URL } from './support/database.js';
import { startPermissionApp, type PermissionApp } from './support/permission-app.js';

@Injectable()
class ArticleLoader implements SubjectLoader {
  load(request: { params: { id: string } }) {
    return { id: request.params.id, title: 'x' };
  }
}

@Controller()
class DecisionController {
  @Can('read', 'Article', ArticleLoader)
  @Get('articles/:id')
  article(@Param('id') id: string) {
    return { id };
  }

  @Can('read', 'Report')
  @Get('reports')
  reports() {
    return [];
  }

  @Can('read', 'Draft')
  @Get('drafts')
  drafts() {
    return [];
  }
}

describe('the decision log', () => {
  const records: PolicyDecisionRecord[] = [];
  const sink: DecisionLogSink = { write: (record) => void records.push(record) };
  const prefix = `test:decisions:${randomBytes(4).toString('hex')}:`;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let dataSource: DataSource;
  let app: PermissionApp;
  let redis: Redis;

  beforeAll(async () => {
    schema = await createSchema('decision_log');
    dataSource = await openModuleDatabase(schema.name);
    redis = new Redis(TEST_REDIS_URL);
    app = await startPermissionApp(
      dataSource,
      prefix,
      {
        policy: {
          document: {
            version: 7,
            roles: {
              reader: [
                { id: 'reader-articles', action: 'read', subject: 'Article' },
                { id: 'reader-reports', action: 'read', subject: 'Report' },
              ],
            },
          },
          decisionLog: { sink },
        },
      },
      [DecisionController],
    );
    app.app.get(DecisionLog); // provided and exported by the module
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await schema?.drop();
    await redis?.del(`${prefix}policy-rule-use`);
    await redis?.quit();
  });

  const reader = async () => {
    const issued = await app.app.get(SessionService).create({ id: '42', roles: ['reader'] });
    return { cookie: `__Host-t=${issued.token}`, sessionId: issued.session.id };
  };

  it('writes each allowed decision with who, what, the deciding rule, the version and the request id', async () => {
    const { cookie, sessionId } = await reader();
    app.clock.freeze(Date.parse('2026-05-04T10:00:00Z'));
    await app.http
      .get('/articles/17')
      .set('Cookie', cookie)
      .set('X-Request-Id', 'req-abc.1')
      .expect(200);
    await app.http.get('/reports').set('Cookie', cookie).set('X-Request-Id', 'bad id!').expect(200);
    app.clock.resume();
    expect(records).toEqual([
      {
        at: Date.parse('2026-05-04T10:00:00Z'),
        userId: '42',
        sessionId,
        action: 'read',
        subjectType: 'Article',
        subjectId: '17',
        outcome: 'allow',
        rule: 'reader-articles',
        policyVersion: '7',
        requestId: 'req-abc.1',
      },
      expect.objectContaining({
        subjectType: 'Report',
        subjectId: null,
        rule: 'reader-reports',
        requestId: process.env.HTTP_ADAPTER === 'fastify' ? expect.any(String) : null,
      }),
    ]);
  });

  it('leaves denials to the audit log', async () => {
    const { cookie } = await reader();
    const before = records.length;
    await app.http.get('/drafts').set('Cookie', cookie).expect(403);
    expect(records).toHaveLength(before);
    const [denied] = await app.app.get(AuditService).list({ type: 'policy.denied', limit: 1 });
    expect(denied).toMatchObject({ userId: '42', action: 'read', resource: 'Draft' });
    expect(denied.details).toMatchObject({ policyVersion: '7', rule: null });
  });

  it('keeps when each rule last allowed something, in Redis for every instance', async () => {
    const { cookie } = await reader();
    app.clock.freeze(Date.parse('2026-05-05T08:00:00Z'));
    await app.http.get('/reports').set('Cookie', cookie).expect(200);
    app.clock.resume();
    const lastUsed = await app.app.get(DecisionLog).lastUsed();
    expect(lastUsed?.get('reader-reports')).toBe(Date.parse('2026-05-05T08:00:00Z'));
    expect(lastUsed?.get('reader-articles')).toBe(Date.parse('2026-05-04T10:00:00Z'));
    expect(Number(await redis.zscore(`${prefix}policy-rule-use`, 'reader-reports'))).toBe(
      Date.parse('2026-05-05T08:00:00Z'),
    );
  });
});
