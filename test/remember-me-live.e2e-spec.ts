import { setTimeout as sleep } from 'node:timers/promises';
import { tokenFrom } from './support/example-app.js';
import { connect, twoInstanceSuite, type LiveInstance } from './support/live-client.js';

/** Long enough for the rotation's signal to reach the other instance and its re-check to run. */
const SIGNAL_SETTLES_MS = 1_500;

describe('a WebSocket of a remembered session, on two instances', () => {
  const instances = twoInstanceSuite('remember_live');
  let a: LiveInstance;
  let b: LiveInstance;
  beforeAll(() => void ({ a, b } = instances));

  const advance = (ms: number) => {
    a.clock.advance(ms);
    b.clock.advance(ms);
  };

  it('stays open across a rotation of the token it was opened with, and closes with 4401 when a replay ends the session', async () => {
    const signedIn = await a.http
      .post('/auth/login')
      .send({ username: 'bob', password: 'bob-password', rememberMe: true })
      .expect(200);
    const cookie = `__Host-t=${tokenFrom(signedIn.headers['set-cookie'])}`;
    const live = await connect(b.port, cookie);
    expect((await live.ask({ event: 'whoami' })).data.userId).toBe('2');

    advance(61_000);
    const rotated = await a.http.get('/me').set('Cookie', cookie).expect(200);
    expect(tokenFrom(rotated.headers['set-cookie'])).not.toBe(cookie.slice('__Host-t='.length));
    await sleep(SIGNAL_SETTLES_MS);
    expect(live.socket.readyState).toBe(live.socket.OPEN);
    expect((await live.ask({ event: 'whoami' })).data.userId).toBe('2');

    advance(11_000);
    await a.http.get('/me').set('Cookie', cookie).expect(401);
    const closed = await Promise.race([live.closed, sleep(2_000).then(() => null)]);
    expect(closed).toMatchObject({
      code: 4401,
      reason: expect.stringContaining('session_revoked'),
    });
  });
});
