import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  AuditService,
  BulkRevocationService,
  RevocationService,
  SessionService,
} from '../src/index.js';
import { createSchema } from './support/database.js';
import {
  NotesResolver,
  startGraphqlApp,
  type GraphqlApp,
  type SignedIn,
} from './support/graphql-app.js';

interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions: { code: string; reason?: string; stacktrace?: unknown };
}

// A user's app, not the example: Apollo code-first, field-resolver guards, on both adapters.
describe.each(['express', 'fastify'] as const)('GraphQL in an app of its own on %s', (adapter) => {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let g: GraphqlApp;

  beforeAll(async () => {
    schema = await createSchema(`gql_${adapter}`);
    g = await startGraphqlApp(adapter, schema.name, `test:${randomBytes(4).toString('hex')}:`);
  });
  afterAll(async () => {
    await g?.close();
    await schema?.drop();
  });

  const gql = (
    query: string,
    client?: Partial<SignedIn>,
    headers: Record<string, string> = {},
    variables?: Record<string, unknown>,
  ) => {
    let call = g.http.post('/graphql').set('Content-Type', 'application/json');
    if (client?.cookie) call = call.set('Cookie', client.cookie);
    for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
    return call.send({ query, variables });
  };
  const errorsOf = (body: { errors?: GraphqlError[] }) => body.errors ?? [];
  const codes = (body: { errors?: GraphqlError[] }) => errorsOf(body).map((e) => e.extensions.code);
  const withCsrf = (client: SignedIn) => ({ 'X-CSRF-Token': client.csrf });

  describe('the session guard', () => {
    it('answers an anonymous query with session_required and no data', async () => {
      const response = await gql('{ secret }').expect(200);
      expect(codes(response.body)).toEqual(['session_required']);
      expect(response.body.data).toBeNull();
      expect(response.text).not.toContain('the secret');
    });

    it('still answers a @Public() query without a session', async () => {
      expect((await gql('{ ping }').expect(200)).body).toEqual({ data: { ping: 'pong' } });
    });

    it('answers a valid session with data', async () => {
      const editor = await g.signIn('u-editor', ['editor']);
      const response = await gql('{ secret }', editor).expect(200);
      expect(response.body).toEqual({ data: { secret: 'the secret of u-editor' } });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('refuses a logged-out cookie with session_revoked', async () => {
      const client = await g.signIn('u-logout', ['editor']);
      await gql('{ secret }', client).expect(200);
      await g.app.get(SessionService).end(client.tokenHash);
      const response = await gql('{ secret }', client).expect(200);
      expect(codes(response.body)).toEqual(['session_revoked']);
      expect(response.body.data).toBeNull();
    });

    it('refuses a bulk-revoked cookie with session_revoked', async () => {
      const client = await g.signIn('u-bulk', ['editor']);
      await g.app.get(BulkRevocationService).start({ userIds: ['u-bulk'] }, 'incident', 'ops');
      const response = await gql('{ secret }', client).expect(200);
      expect(codes(response.body)).toEqual(['session_revoked']);
      expect(response.text).not.toContain('the secret');
    });

    it('refuses an expired session with session_expired', async () => {
      const client = await g.signIn('u-expired', ['editor']);
      g.clock.advance('31m');
      const response = await gql('{ secret }', client).expect(200);
      expect(codes(response.body)).toEqual(['session_expired']);
      expect(response.body.data).toBeNull();
    });

    it('asks a session whose permissions changed to re-authenticate', async () => {
      const client = await g.signIn('u-perm', ['admin']);
      await gql('{ noteCount }', client).expect(200);
      await g.app.get(RevocationService).permissionsChanged('u-perm', { reason: 'demoted' });
      const response = await gql('{ noteCount }', client).expect(200);
      expect(errorsOf(response.body)[0].extensions).toMatchObject({
        code: 'reauth_required',
        reason: 'permissions_changed',
      });
      expect(response.body.data).toEqual({ noteCount: null });
    });

    it('validates the session once per request, and refuses it on the next request', async () => {
      const admin = await g.signIn('u-once', ['admin']);
      const validate = jest.spyOn(g.app.get(SessionService), 'validate');
      try {
        const response = await gql('{ secret noteCount notes { id ownerEmail } }', admin);
        expect(response.body.errors).toBeUndefined();
        expect(response.body.data.notes).toHaveLength(2);
        expect(validate).toHaveBeenCalledTimes(1);
        await g.app.get(SessionService).revoke(admin.id, 'test');
        const next = await gql('{ secret notes { id ownerEmail } }', admin);
        expect(codes(next.body)).toContain('session_revoked');
        expect(next.body.data).toBeNull();
        expect(validate).toHaveBeenCalledTimes(2);
      } finally {
        validate.mockRestore();
      }
    });
  });

  describe('cookies and headers on GraphQL responses', () => {
    const cookiesOf = (response: { headers: Record<string, unknown> }) =>
      ([] as string[]).concat((response.headers['set-cookie'] as string[] | undefined) ?? []);

    it('writes the cookie a resolver issued, and that session is then accepted', async () => {
      const response = await gql('mutation { signIn(userId: "u-gql-login") }').expect(200);
      expect(response.body).toEqual({ data: { signIn: true } });
      const cookie = cookiesOf(response).find((c) => c.startsWith('__Host-t='));
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/Secure/i);
      const secret = await gql('{ secret }', { cookie: cookie!.split(';')[0] }).expect(200);
      expect(secret.body).toEqual({ data: { secret: 'the secret of u-gql-login' } });
    });

    it('clears the cookie of a session that is no longer valid', async () => {
      const client = await g.signIn('u-clear', ['editor']);
      await g.app.get(SessionService).end(client.tokenHash);
      const response = await gql('{ secret }', client).expect(200);
      expect(cookiesOf(response).some((c) => /^__Host-t=;.*Max-Age=0/i.test(c))).toBe(true);
    });
  });

  describe('CSRF on mutations', () => {
    it('refuses a cookie-authenticated mutation without X-CSRF-Token, and does not run it', async () => {
      const editor = await g.signIn('u-csrf', ['editor']);
      const before = NotesResolver.touched;
      const response = await gql('mutation { touchNote(id: "1") { id } }', editor).expect(200);
      expect(codes(response.body)).toEqual(['csrf_rejected']);
      expect(response.body.data).toEqual({ touchNote: null });
      expect(NotesResolver.touched).toBe(before);
    });

    it('runs the mutation with the session CSRF token', async () => {
      const editor = await g.signIn('u-csrf-ok', ['editor']);
      const response = await gql(
        'mutation { touchNote(id: "1") { id } }',
        editor,
        withCsrf(editor),
      );
      expect(response.body).toEqual({ data: { touchNote: { id: '1' } } });
    });

    it.each([
      ['a cross-site Origin', { Origin: 'https://evil.example' }],
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ])('refuses a mutation from %s even with the token', async (_label, headers) => {
      const editor = await g.signIn('u-cross', ['editor']);
      const before = NotesResolver.touched;
      const response = await gql('mutation { touchNote(id: "1") { id } }', editor, {
        ...withCsrf(editor),
        ...headers,
      });
      expect(codes(response.body)).toEqual(['csrf_rejected']);
      expect(NotesResolver.touched).toBe(before);
    });

    it('does not ask queries for the token', async () => {
      const editor = await g.signIn('u-csrf-query', ['editor']);
      expect((await gql('{ secret }', editor)).body.errors).toBeUndefined();
    });
  });

  describe('fresh authentication', () => {
    it('enforces @RequireFreshAuth on a mutation, with the reason in extensions', async () => {
      const editor = await g.signIn('u-fresh', ['editor']);
      const fresh = await gql('mutation { deleteEverything }', editor, withCsrf(editor));
      expect(fresh.body).toEqual({ data: { deleteEverything: true } });
      g.clock.advance('2m');
      const stale = await gql('mutation { deleteEverything }', editor, withCsrf(editor));
      expect(errorsOf(stale.body)[0].extensions).toMatchObject({
        code: 'reauth_required',
        reason: 'stale_authentication',
      });
      expect(stale.body.data).toEqual({ deleteEverything: null });
    });
  });

  describe('policies', () => {
    it('applies @Can with a loader reading the GraphQL args on a root query (no 500)', async () => {
      const editor = await g.signIn('u-editor', ['editor']);
      const own = await gql(
        'query ($id: ID!) { note(id: $id) { id text } }',
        editor,
        {},
        { id: '1' },
      );
      expect(own.body).toEqual({ data: { note: { id: '1', text: 'first' } } });
      const other = await gql('{ note(id: "2") { id text } }', editor).expect(200);
      expect(codes(other.body)).toEqual(['forbidden']);
      expect(other.body.data).toEqual({ note: null });
      expect(other.text).not.toContain('second');
      const missing = await gql('{ note(id: "9") { id } }', editor).expect(200);
      expect(codes(missing.body)).toEqual(['not_found']);
    });

    it('applies @Can without a loader and @CheckPolicies on root queries', async () => {
      const viewer = await g.signIn('u-viewer', ['viewer']);
      const response = await gql('{ report noteCount }', viewer).expect(200);
      expect(codes(response.body).sort()).toEqual(['forbidden', 'forbidden']);
      expect(response.body.data).toEqual({ report: null, noteCount: null });
      const admin = await g.signIn('u-admin', ['admin']);
      expect((await gql('{ report noteCount }', admin)).body).toEqual({
        data: { report: 'report', noteCount: 2 },
      });
    });

    it('applies @Can on a @ResolveField: the field is null with forbidden, the rest is served', async () => {
      const editor = await g.signIn('u-editor', ['editor']);
      const response = await gql('{ note(id: "1") { id ownerEmail } }', editor).expect(200);
      expect(response.body.data).toEqual({ note: { id: '1', ownerEmail: null } });
      expect(errorsOf(response.body)).toEqual([
        expect.objectContaining({
          path: ['note', 'ownerEmail'],
          extensions: { code: 'forbidden', statusCode: 403 },
        }),
      ]);
      const admin = await g.signIn('u-admin', ['admin']);
      const allowed = await gql('{ note(id: "1") { ownerEmail } }', admin);
      expect(allowed.body).toEqual({ data: { note: { ownerEmail: 'owner@example.test' } } });
    });

    it('never includes a stack trace in an error', async () => {
      const viewer = await g.signIn('u-viewer', ['viewer']);
      const response = await gql('{ report note(id: "x") { id } }', viewer);
      expect(errorsOf(response.body).length).toBeGreaterThan(0);
      expect(response.text).not.toMatch(/stacktrace|\.ts:\d+|at \w+ \(/);
    });
  });

  describe('the audit trail', () => {
    const audit = () => g.app.get(AuditService);

    it('records GraphQL denials with their surface and operation', async () => {
      const viewer = await g.signIn('u-audit', ['viewer']);
      await gql('{ report }', viewer);
      await gql('mutation { touchNote(id: "1") { id } }', viewer);
      await gql('{ secret }');
      const [policy] = await audit().list({ type: 'policy.denied', userId: 'u-audit', limit: 1 });
      expect(policy).toMatchObject({
        action: 'read',
        resource: 'Report',
        details: expect.objectContaining({ surface: 'graphql' }),
      });
      const [csrf] = await audit().list({ type: 'csrf.rejected', userId: 'u-audit', limit: 1 });
      expect(csrf).toMatchObject({
        action: 'graphql mutation touchNote',
        details: expect.objectContaining({ surface: 'graphql' }),
      });
      const [access] = await audit().list({ type: 'access.denied', limit: 1 });
      expect(access).toMatchObject({
        action: 'graphql query secret',
        details: expect.objectContaining({ code: 'session_required', surface: 'graphql' }),
      });
    });
  });

  describe('bad input', () => {
    const post = (contentType: string, body: string) =>
      g.http.post('/graphql').set('Content-Type', contentType).send(body);

    it('answers a malformed JSON body with 400', async () => {
      expect((await post('application/json', '{"query": ')).status).toBe(400);
    });

    it('answers a non-JSON content type with a 4xx', async () => {
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
        const response = await post(type, 'query={ secret }');
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.text).not.toContain('the secret');
      }
    });

    it('answers an unknown field with a validation error', async () => {
      const response = await gql('{ nope }').expect(400);
      expect(codes(response.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });

    it('answers a huge or deeply nested query with a 4xx and keeps serving', async () => {
      const deep = `{ ${'notes { '.repeat(5000)}id${' }'.repeat(5000)} }`;
      const deepResponse = await gql(deep);
      expect(deepResponse.status).toBeGreaterThanOrEqual(400);
      expect(deepResponse.status).toBeLessThan(500);
      const huge = `{ ${Array.from({ length: 60000 }, (_, i) => `a${i}: ping`).join(' ')} }`;
      const hugeResponse = await gql(huge);
      expect(hugeResponse.status).toBeGreaterThanOrEqual(400);
      expect(hugeResponse.status).toBeLessThan(500);
      expect((await gql('{ ping }').expect(200)).body).toEqual({ data: { ping: 'pong' } });
    });
  });
});
