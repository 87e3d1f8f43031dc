import { AuditService } from '../src/index.js';
import { startBulkExample } from './support/bulk-app.js';
import { createSchema } from './support/database.js';
import { type ExampleInstance, login, newEnvironment } from './support/example-app.js';
import { eventually } from './support/notification-recorder.js';

describe('the audit log records bulk revocation jobs started through the app', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let app: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('auditbulk');
    app = await startBulkExample(newEnvironment(schema.name), { worker: true, batchSize: 1 });
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it('records revocation.started and revocation.finished with actor, reason and counts', async () => {
    const admin = await login(app, 'alice');
    await login(app, 'carol');
    await login(app, 'carol');

    const started = await app.http
      .post('/admin/session-revocations')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ filter: { userIds: ['3'] }, reason: 'carol reported a stolen laptop' })
      .expect(202);
    const { jobId } = started.body as { jobId: string };
    await eventually(async () => {
      const status = await app.http
        .get(`/admin/session-revocations/${jobId}`)
        .set('Cookie', admin.cookie)
        .expect(200);
      expect(status.body.state).toBe('completed');
    });

    const audit = app.app.get(AuditService);
    const [start] = await audit.list({ type: 'revocation.started', limit: 1 });
    expect(start).toMatchObject({ actor: '1', outcome: 'success' });
    expect(start.details).toMatchObject({
      jobId,
      reason: 'carol reported a stolen laptop',
      matched: 2,
      filter: { userIds: ['3'] },
    });
    const finish = await eventually(async () => {
      const [event] = await audit.list({ type: 'revocation.finished', limit: 1 });
      expect(event).toMatchObject({ actor: '1', outcome: 'success' });
      return event;
    });
    expect(finish.details).toMatchObject({ jobId, state: 'completed', matched: 2, revoked: 2 });
    expect(finish.seq).toBeGreaterThan(start.seq);
    await expect(audit.verify()).resolves.toMatchObject({ ok: true });
  });
});
