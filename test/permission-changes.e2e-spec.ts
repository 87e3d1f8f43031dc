import { createSchema } from './support/database.js';
import {
  Client,
  ExampleInstance,
  login,
  newEnvironment,
  startExample,
  tokenFrom,
} from './support/example-app.js';

describe('permission changes and account disable, on two instances', () => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let a: ExampleInstance;
  let b: ExampleInstance;
  let admin: Client;

  beforeAll(async () => {
    schema = await createSchema('perms');
    const environment = newEnvironment(schema.name);
    a = await startExample(environment);
    b = await startExample(environment);
    admin = await login(a, 'alice');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  const setRoles = (id: number, roles: string[]) =>
    a.http
      .put(`/admin/users/${id}/roles`)
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ roles });
  const edit = (instance: ExampleInstance, client: { cookie: string; csrf: string }, id: number) =>
    instance.http
      .patch(`/articles/${id}`)
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({ title: 'x' });
  const reauth = async (
    instance: ExampleInstance,
    client: Client,
    password: string,
  ): Promise<Client> => {
    const response = await instance.http
      .post('/auth/reauth')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .send({ password })
      .expect(200);
    const token = tokenFrom(response.headers['set-cookie']);
    return { ...client, token, cookie: `__Host-t=${token}`, csrf: response.body.csrfToken };
  };

  const reauthIfNeeded = async (instance: ExampleInstance, client: Client): Promise<Client> => {
    const probe = await instance.http.get('/me').set('Cookie', client.cookie);
    return probe.status === 401 ? reauth(instance, client, 'bob-password') : client;
  };

  it('forces every session of the user to re-authenticate on its next request, on both instances, and applies the new rights after', async () => {
    const onA = await login(a, 'bob');
    const onB = await login(b, 'bob');
    const carol = await login(b, 'carol');
    await edit(a, onA, 1).expect(200);

    await setRoles(2, ['viewer']).expect(200);
    for (const [instance, client] of [
      [a, onA],
      [b, onB],
    ] as const) {
      const denied = await instance.http.get('/articles').set('Cookie', client.cookie).expect(401);
      expect(denied.body).toMatchObject({
        error: 'reauth_required',
        reason: 'permissions_changed',
      });
      expect(denied.headers['www-authenticate']).toContain('permissions_changed');
    }
    await b.http.get('/articles').set('Cookie', carol.cookie).expect(200);

    const fresh = await reauth(b, onB, 'bob-password');
    await a.http.get('/articles').set('Cookie', onB.cookie).expect(401);
    await a.http.get('/articles').set('Cookie', fresh.cookie).expect(200);
    await edit(a, fresh, 1).expect(403);

    await setRoles(2, ['editor']).expect(200);
    const again = await reauth(a, fresh, 'bob-password');
    await edit(b, again, 1).expect(200);
  });

  it('serves zero requests with the old permissions once the change has returned', async () => {
    const client = await login(a, 'bob');
    let returned = false;
    const servedBefore = [0, 0];
    const stale: Array<{ instance: number; status: number }> = [];
    const refusedAfter = [0, 0];
    let running = true;
    const traffic = [a, b].map(async (instance, i) => {
      while (running) {
        // Only requests sent after permissionsChanged() returned count; a request in flight
        // across the return may go either way.
        const sentAfterReturn = returned;
        const response = await instance.http.get('/articles').set('Cookie', client.cookie);
        if (!sentAfterReturn) {
          if (response.status === 200) servedBefore[i]++;
        } else if (response.status === 401 && response.body.reason === 'permissions_changed') {
          refusedAfter[i]++;
        } else {
          stale.push({ instance: i, status: response.status });
        }
      }
    });
    const until = async (done: () => boolean) => {
      for (const deadline = Date.now() + 10_000; !done() && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await until(() => Math.min(...servedBefore) >= 3);
    await setRoles(2, ['viewer']).expect(200);
    returned = true;
    await until(() => Math.min(...refusedAfter) >= 10);
    running = false;
    await Promise.all(traffic);
    expect(stale).toEqual([]);
    for (const i of [0, 1]) {
      expect(servedBefore[i]).toBeGreaterThanOrEqual(3);
      expect(refusedAfter[i]).toBeGreaterThanOrEqual(10);
    }
    await setRoles(2, ['editor']).expect(200);
  });

  it('ends every session of a disabled user at once and refuses sign-in until enabled', async () => {
    const onA = await login(a, 'carol');
    const onB = await login(b, 'carol');
    await a.http
      .post('/admin/users/3/disable')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .expect(204);
    for (const [instance, client] of [
      [a, onA],
      [b, onB],
    ] as const) {
      const denied = await instance.http.get('/me').set('Cookie', client.cookie).expect(401);
      expect(denied.body.error).toBe('session_revoked');
    }
    const refused = await b.http
      .post('/auth/login')
      .send({ username: 'carol', password: 'carol-password' })
      .expect(401);
    expect(refused.body.error).toBe('invalid_credentials');
    await a.http
      .post('/admin/users/3/enable')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .expect(204);
    a.clock.advance(5);
    b.clock.advance(5);
    const back = await login(b, 'carol');
    await a.http.get('/me').set('Cookie', back.cookie).expect(200);
    await a.http.get('/me').set('Cookie', onA.cookie).expect(401);
  });

  it('notifies the user exactly once per permission change', async () => {
    let bob = await login(b, 'bob');
    await setRoles(2, ['editor']).expect(200);
    const changes = 5; // two in each earlier test of this file, and this one
    const reauthNotices = async () => {
      bob = await reauthIfNeeded(b, bob);
      const response = await b.http.get('/me/notifications').set('Cookie', bob.cookie).expect(200);
      return response.body.filter((n: { type: string }) => n.type === 'reauth_required').length;
    };
    let count = 0;
    for (let i = 0; i < 50 && count < changes; i++) {
      count = await reauthNotices();
      if (count < changes) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await reauthNotices()).toBe(changes);
  });

  it('keeps admin routes to admins', async () => {
    const bob = await login(a, 'bob');
    const denied = await a.http
      .put('/admin/users/3/roles')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .send({ roles: ['admin'] })
      .expect(403);
    expect(denied.body.error).toBe('forbidden');
    await setRoles(99, ['viewer']).expect(404);
    await setRoles(2, ['root']).expect(400);
    const audit = await a.http
      .get('/admin/audit?type=permissions.changed')
      .set('Cookie', admin.cookie)
      .expect(200);
    expect(audit.body.length).toBeGreaterThan(0);
    expect(audit.body.every((e: { type: string }) => e.type === 'permissions.changed')).toBe(true);
  });

  it('lets a session held back by a permission change read its CSRF token, and nothing else', async () => {
    const carol = await login(a, 'carol');
    await setRoles(3, ['viewer']).expect(200);
    const csrf = await a.http.get('/auth/csrf').set('Cookie', carol.cookie).expect(200);
    expect(csrf.body).toEqual({ csrfToken: carol.csrf });
    for (const path of ['/me', '/me/sessions', '/me/notifications', '/articles']) {
      const denied = await a.http.get(path).set('Cookie', carol.cookie).expect(401);
      expect(denied.body).toMatchObject({
        error: 'reauth_required',
        reason: 'permissions_changed',
      });
    }
    const fresh = await reauth(a, { ...carol, csrf: csrf.body.csrfToken }, 'carol-password');
    await a.http.get('/me').set('Cookie', fresh.cookie).expect(200);
  });
});
