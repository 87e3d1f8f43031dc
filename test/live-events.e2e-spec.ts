import { LiveConnections } from '../src/index.js';
import { login } from './support/example-app.js';
import { openEventStream, twoInstanceSuite, type LiveInstance } from './support/live-client.js';

describe('GET /me/events on two instances', () => {
  const instances = twoInstanceSuite('liveevents');
  let a: LiveInstance;
  let b: LiveInstance;
  beforeAll(() => void ({ a, b } = instances));

  it('refuses a stream without a session with 401 session_required', async () => {
    const denied = await b.http.get('/me/events').expect(401);
    expect(denied.body.error).toBe('session_required');
  });

  it('streams new notifications, then ends with session-ended when the session logs out on A', async () => {
    const reader = await login(a, 'bob');
    const other = await login(a, 'bob');
    const ended = await login(a, 'bob');
    const stream = await openEventStream(b.port, '/me/events', reader.cookie);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    await new Promise((resolve) => setTimeout(resolve, 400));

    await a.http
      .delete(`/me/sessions/${ended.sessionId}`)
      .set('Cookie', other.cookie)
      .set('X-CSRF-Token', other.csrf)
      .expect(204);
    const notification = await stream.next('notification');
    expect(JSON.parse(notification?.data ?? '{}')).toMatchObject({ type: 'session_revoked' });

    await a.http
      .post('/auth/logout')
      .set('Cookie', reader.cookie)
      .set('X-CSRF-Token', reader.csrf)
      .expect(204);
    const last = await stream.next('session-ended');
    expect(last?.data).toBe('session_revoked');
    await stream.ended;
    expect(stream.events.at(-1)?.event).toBe('session-ended');
  });

  it('ends the stream with reauth_required when the user’s permissions change', async () => {
    const admin = await login(a, 'alice');
    const reader = await login(a, 'carol');
    const stream = await openEventStream(b.port, '/me/events', reader.cookie);
    await a.http
      .put('/admin/users/3/roles')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ roles: ['viewer'] })
      .expect(200);
    expect((await stream.next('session-ended'))?.data).toBe('reauth_required');
    await stream.ended;
  });

  it('forgets a stream the client closed and keeps serving', async () => {
    const live = b.app.get(LiveConnections);
    const before = live.size;
    const reader = await login(a, 'bob');
    const stream = await openEventStream(b.port, '/me/events', reader.cookie);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.size).toBe(before + 1);
    stream.close();
    await stream.ended;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.size).toBe(before);
    await b.http.get('/me').set('Cookie', reader.cookie).expect(200);
  });
});
