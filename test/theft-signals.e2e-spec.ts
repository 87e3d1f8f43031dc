import { createSchema, query } from './support/database.js';
import {
  type ExampleInstance,
  newEnvironment,
  startExample,
  tokenFrom,
} from './support/example-app.js';
import { listenInstance, openEventStream, type LiveInstance } from './support/live-client.js';

/**
 * Theft signals on the example app, two instances on one PostgreSQL and Redis. The example's geo
 * resolver is the trusted-header one: with the test client's address as a trusted proxy, the
 * `CF-IPCountry` header says where a request comes from, and `X-Forwarded-For` its address.
 */
const TRUSTED = { TRUST_PROXY: '127.0.0.1/32,::1/128' };
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

type Schema = Awaited<ReturnType<typeof createSchema>>;

interface From {
  country?: string;
  ip?: string;
  userAgent?: string;
}

/** The headers a request from `from` carries (Germany, one address, Firefox unless told). */
function headers({ country = 'DE', ip = '203.0.113.10', userAgent = FIREFOX }: From = {}) {
  return { 'cf-ipcountry': country, 'x-forwarded-for': ip, 'user-agent': userAgent };
}

async function signIn(instance: ExampleInstance, username: string, from: From = {}) {
  const response = await instance.http
    .post('/auth/login')
    .set(headers(from))
    .send({ username, password: `${username}-password` })
    .expect(200);
  const token = tokenFrom(response.headers['set-cookie']);
  return {
    cookie: `__Host-t=${token}`,
    csrf: response.body.csrfToken as string,
    sessionId: response.body.session.id as string,
  };
}

function me(instance: ExampleInstance, cookie: string, from: From = {}) {
  return instance.http.get('/me').set('Cookie', cookie).set(headers(from));
}

/** Starts two instances of one environment and stops them after the block. */
function pairOf(label: string, env: Record<string, string>) {
  const pair = {} as { a: ExampleInstance; b: ExampleInstance; schema: Schema };
  beforeAll(async () => {
    pair.schema = await createSchema(label);
    const environment = newEnvironment(pair.schema.name, { ...TRUSTED, ...env });
    pair.a = await startExample(environment);
    pair.b = await startExample(environment);
  });
  afterAll(async () => {
    await pair.a?.close();
    await pair.b?.close();
    await pair.schema?.drop();
  });
  return pair;
}

async function signalEvents(schema: Schema, sessionId: string) {
  const rows = await query<{ outcome: string; ip: string | null; details: string }>(
    `SELECT "outcome", "ip", "details" FROM "${schema.name}"."ss_audit_event"
     WHERE "type" = 'session.signal_changed' AND "sessionId" = $1 ORDER BY "seq"`,
    [sessionId],
  );
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as unknown }));
}

describe('theft signals with the defaults: step up on a new country, record the rest', () => {
  const pair = pairOf('theft_signals', {});

  it('serves the session on both instances while the client stays the same, and audits nothing', async () => {
    const client = await signIn(pair.a, 'carol');
    await me(pair.a, client.cookie).expect(200);
    await me(pair.b, client.cookie).expect(200);
    expect(await signalEvents(pair.schema, client.sessionId)).toEqual([]);
  });

  it('asks for step-up on a new country on the other instance, until a re-authentication clears it and re-binds the session', async () => {
    const client = await signIn(pair.a, 'bob');
    const stepped = await me(pair.b, client.cookie, { country: 'FR' }).expect(401);
    expect(stepped.body).toMatchObject({ error: 'reauth_required', reason: 'suspicious_change' });
    expect(stepped.headers['www-authenticate']).toContain('suspicious_change');
    // Held on every instance, also for a request from the original country.
    const held = await me(pair.a, client.cookie).expect(401);
    expect(held.body).toMatchObject({ error: 'reauth_required', reason: 'suspicious_change' });

    const events = await signalEvents(pair.schema, client.sessionId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: 'denied',
      details: {
        decision: 'step-up',
        evidence: [{ signal: 'country', from: 'DE', to: 'FR', action: 'step-up' }],
      },
    });

    const reauth = await pair.b.http
      .post('/auth/reauth')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .set(headers({ country: 'FR' }))
      .send({ password: 'bob-password' })
      .expect(200);
    const cookie = `__Host-t=${tokenFrom(reauth.headers['set-cookie'])}`;
    await me(pair.a, cookie, { country: 'FR' }).expect(200);
    await me(pair.b, cookie, { country: 'FR' }).expect(200);
    // Re-bound to France: Germany is now the change.
    const again = await me(pair.a, cookie, { country: 'DE' }).expect(401);
    expect(again.body).toMatchObject({ error: 'reauth_required', reason: 'suspicious_change' });
  });

  it('refuses a wrong password at the step-up and keeps the session held', async () => {
    const client = await signIn(pair.a, 'carol');
    await me(pair.b, client.cookie, { country: 'US' }).expect(401);
    await pair.a.http
      .post('/auth/reauth')
      .set('Cookie', client.cookie)
      .set('X-CSRF-Token', client.csrf)
      .set(headers({ country: 'US' }))
      .send({ password: 'wrong' })
      .expect(401);
    const held = await me(pair.a, client.cookie, { country: 'US' }).expect(401);
    expect(held.body.reason).toBe('suspicious_change');
  });

  it('records a new network and browser once, re-binding the session, and keeps serving it', async () => {
    const client = await signIn(pair.a, 'alice');
    const moved = { ip: '198.51.100.20', userAgent: CHROME };
    await me(pair.b, client.cookie, moved).expect(200);
    await me(pair.a, client.cookie, moved).expect(200);
    await me(pair.b, client.cookie, { ...moved, ip: '198.51.100.99' }).expect(200); // same /24
    const events = await signalEvents(pair.schema, client.sessionId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: 'success',
      ip: '198.51.100.20',
      details: {
        decision: 'record',
        evidence: [
          {
            signal: 'userAgent',
            from: 'Firefox on Linux',
            to: 'Chrome on Windows',
            action: 'record',
          },
          { signal: 'network', from: '203.0.113.0/24', to: '198.51.100.0/24', action: 'record' },
        ],
      },
    });
  });
});

describe('theft signals with SESSION_SIGNAL_COUNTRY=end', () => {
  const pair = pairOf('theft_signals_end', { SESSION_SIGNAL_COUNTRY: 'end' });

  it('ends the session on a new country, on both instances', async () => {
    const client = await signIn(pair.a, 'bob');
    const ended = await me(pair.b, client.cookie, { country: 'BR' }).expect(401);
    expect(ended.body).toMatchObject({ error: 'session_revoked', reason: 'suspicious_change' });
    for (const instance of [pair.a, pair.b]) {
      const after = await me(instance, client.cookie).expect(401);
      expect(after.body).toMatchObject({ error: 'session_revoked', reason: 'suspicious_change' });
    }
    const events = await signalEvents(pair.schema, client.sessionId);
    expect(events).toMatchObject([
      {
        outcome: 'denied',
        details: {
          decision: 'end',
          evidence: [{ signal: 'country', from: 'DE', to: 'BR', action: 'end' }],
        },
      },
    ]);
    const [revoked] = await query<{ details: string }>(
      `SELECT "details" FROM "${pair.schema.name}"."ss_audit_event"
       WHERE "type" = 'session.revoked' AND "sessionId" = $1`,
      [client.sessionId],
    );
    expect(JSON.parse(revoked.details)).toMatchObject({ reason: 'suspicious_change' });
  });
});

describe('theft signals set to ignore', () => {
  const pair = pairOf('theft_signals_ignore', {
    SESSION_SIGNAL_USER_AGENT: 'ignore',
    SESSION_SIGNAL_NETWORK: 'ignore',
    SESSION_SIGNAL_COUNTRY: 'ignore',
  });

  it('serves a session from another country, network and browser, and audits nothing', async () => {
    const client = await signIn(pair.a, 'carol');
    const elsewhere = { country: 'JP', ip: '192.0.2.44', userAgent: CHROME };
    await me(pair.b, client.cookie, elsewhere).expect(200);
    await me(pair.a, client.cookie, elsewhere).expect(200);
    expect(await signalEvents(pair.schema, client.sessionId)).toEqual([]);
  });
});

describe('theft signals and open streams', () => {
  const pair = {} as { a: LiveInstance; b: LiveInstance; schema: Schema };
  beforeAll(async () => {
    pair.schema = await createSchema('theft_signals_live');
    const environment = newEnvironment(pair.schema.name, {
      ...TRUSTED,
      SESSION_LIVE_SWEEP_INTERVAL: '1h',
    });
    pair.a = await listenInstance(environment);
    pair.b = await listenInstance(environment);
  });
  afterAll(async () => {
    await pair.a?.close();
    await pair.b?.close();
    await pair.schema?.drop();
  });

  it('ends an event stream on one instance with reauth_required when the session is stepped up on the other', async () => {
    const client = await signIn(pair.a, 'bob');
    const stream = await openEventStream(pair.b.port, '/me/events', client.cookie);
    expect(stream.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await me(pair.a, client.cookie, { country: 'FR' }).expect(401);
    expect((await stream.next('session-ended'))?.data).toBe('reauth_required');
    await stream.ended;
  });
});
