import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchema } from './support/database.js';
import { ExampleInstance, login, newEnvironment, startExample } from './support/example-app.js';

const MONDAY_NOON_BERLIN = Date.parse('2026-11-30T11:00:00Z');
const MONDAY_NIGHT_BERLIN = Date.parse('2026-11-30T21:30:00Z');

describe('policies in the example app', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let app: ExampleInstance;

  beforeAll(async () => {
    schema = await createSchema('policies');
    app = await startExample(newEnvironment(schema.name));
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  const patch = (client: { cookie: string; csrf: string }, id: number) =>
    app.http
      .patch(`/articles/${id}`)
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({ title: 'Edited' });

  it('lets editors update only their own articles, admins any, viewers none', async () => {
    const bob = await login(app, 'bob');
    await patch(bob, 1).expect(200);
    const foreign = await patch(bob, 3).expect(403);
    expect(foreign.body.error).toBe('forbidden');
    const carol = await login(app, 'carol');
    await patch(carol, 1).expect(403);
    const alice = await login(app, 'alice');
    await patch(alice, 3).expect(200);
    await patch(alice, 999).expect(404);
  });

  it('opens reports to editors only during the hours window, with the reason when closed', async () => {
    app.clock.freeze(MONDAY_NOON_BERLIN);
    const noon = await login(app, 'bob');
    await app.http.get('/reports').set('Cookie', noon.cookie).expect(200);
    app.clock.freeze(MONDAY_NIGHT_BERLIN);
    const night = await login(app, 'bob');
    const closed = await app.http.get('/reports').set('Cookie', night.cookie).expect(403);
    expect(closed.body).toMatchObject({ error: 'forbidden', reason: 'outside_allowed_hours' });
    app.clock.resume();
  });
});

describe('network rules and trusted proxies', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  const policyFile = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.yaml');
  writeFileSync(
    policyFile,
    [
      'networks:',
      '  office: [10.0.0.0/8]',
      'roles:',
      '  admin:',
      '    - { action: read, subject: Report, when: { network: office } }',
      '',
    ].join('\n'),
  );

  beforeAll(async () => {
    schema = await createSchema('networks');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('ignores X-Forwarded-For from an untrusted peer and honours it from a trusted proxy', async () => {
    const direct = await startExample(
      newEnvironment(schema.name, { SESSION_POLICY_FILE: policyFile }),
    );
    try {
      const alice = await login(direct, 'alice');
      const spoofed = await direct.http
        .get('/reports')
        .set('Cookie', alice.cookie)
        .set('X-Forwarded-For', '10.1.2.3')
        .expect(403);
      expect(spoofed.body.reason).toBe('network_not_allowed');
    } finally {
      await direct.close();
    }
    const proxied = await startExample(
      newEnvironment(schema.name, {
        SESSION_POLICY_FILE: policyFile,
        TRUST_PROXY: '127.0.0.1/32,::1/128',
      }),
    );
    try {
      const alice = await login(proxied, 'alice');
      await proxied.http
        .get('/reports')
        .set('Cookie', alice.cookie)
        .set('X-Forwarded-For', '10.1.2.3')
        .expect(200);
      await proxied.http
        .get('/reports')
        .set('Cookie', alice.cookie)
        .set('X-Forwarded-For', '203.0.113.7')
        .expect(403);
    } finally {
      await proxied.close();
    }
  });

  it('keeps admin routes to the internal network', async () => {
    const proxied = await startExample(
      newEnvironment(schema.name, { TRUST_PROXY: '127.0.0.1/32,::1/128' }),
    );
    try {
      const alice = await login(proxied, 'alice');
      const outside = await proxied.http
        .get('/admin/audit')
        .set('Cookie', alice.cookie)
        .set('X-Forwarded-For', '203.0.113.7')
        .expect(403);
      expect(outside.body).toMatchObject({ error: 'forbidden', reason: 'network_not_allowed' });
      await proxied.http
        .get('/admin/audit')
        .set('Cookie', alice.cookie)
        .set('X-Forwarded-For', '10.9.8.7')
        .expect(200);
    } finally {
      await proxied.close();
    }
  });

  it('refuses to start with a bad policy file and names the bad entry', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'policy-')), 'bad.yaml');
    writeFileSync(
      bad,
      'roles:\n  editor:\n    - { action: read, subject: Report, when: { hours: { from: "09:00", to: "18:00", tz: Europe/Berlim } } }\n',
    );
    await expect(
      startExample(newEnvironment(schema.name, { SESSION_POLICY_FILE: bad })),
    ).rejects.toThrow(/Europe\/Berlim/);
  });
});
