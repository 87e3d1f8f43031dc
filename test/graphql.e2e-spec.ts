import { exampleSuite, login, type Client } from './support/example-app.js';

interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions: { code: string; reason?: string };
}

describe('the example app at POST /graphql', () => {
  const suite = exampleSuite('graphql');
  const gql = (
    query: string,
    client?: Client,
    headers: Record<string, string> = {},
    variables?: Record<string, unknown>,
  ) => {
    let call = suite.app.http.post('/graphql').set('Content-Type', 'application/json');
    if (client) call = call.set('Cookie', client.cookie);
    for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
    return call.send({ query, variables });
  };
  const rename = (client: Client | undefined, id: string, title: string, csrf = client?.csrf) =>
    gql(
      'mutation ($id: ID!, $title: String!) { renameArticle(id: $id, title: $title) { id title } }',
      client,
      csrf ? { 'X-CSRF-Token': csrf } : {},
      { id, title },
    );
  const codes = (body: { errors?: GraphqlError[] }) =>
    (body.errors ?? []).map((e) => e.extensions.code);
  const titleOf = async (id: number) => {
    const admin = await login(suite.app, 'alice');
    const list = await suite.app.http.get('/articles').set('Cookie', admin.cookie).expect(200);
    return (list.body as { id: number; title: string }[]).find((a) => a.id === id)?.title;
  };

  it('answers me with the signed-in user', async () => {
    const bob = await login(suite.app, 'bob');
    const response = await gql('query { me { id username roles } }', bob).expect(200);
    expect(response.body).toEqual({
      data: { me: { id: '2', username: 'bob', roles: ['editor'] } },
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers articles with every article', async () => {
    const carol = await login(suite.app, 'carol');
    const response = await gql('query { articles { id title authorId } }', carol).expect(200);
    expect(response.body.data.articles).toHaveLength(3);
    expect(response.body.data.articles[2]).toMatchObject({ id: '3', authorId: '1' });
  });

  it('refuses an anonymous query with session_required and no data', async () => {
    const response = await gql('query { me { id username } articles { title } }').expect(200);
    expect(codes(response.body)).toContain('session_required');
    expect(response.body.data).toBeNull();
  });

  it('refuses a logged-out cookie with session_revoked', async () => {
    const bob = await login(suite.app, 'bob');
    await suite.app.http
      .post('/auth/logout')
      .set('Cookie', bob.cookie)
      .set('X-CSRF-Token', bob.csrf)
      .expect(204);
    const response = await gql('{ me { id } }', bob).expect(200);
    expect(codes(response.body)).toEqual(['session_revoked']);
    expect(response.body.data).toBeNull();
    const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    expect(cookies.some((c) => /^__Host-t=;.*Max-Age=0/i.test(c))).toBe(true);
  });

  it('refuses an expired session with session_expired', async () => {
    const carol = await login(suite.app, 'carol');
    suite.app.clock.advance('13h');
    const response = await gql('{ articles { id } }', carol).expect(200);
    expect(codes(response.body)).toEqual(['session_expired']);
    expect(response.body.data).toBeNull();
  });

  describe('renameArticle (the policy of PATCH /articles/:id)', () => {
    it('lets an editor rename an own article', async () => {
      const bob = await login(suite.app, 'bob');
      const response = await rename(bob, '1', 'Renamed by bob').expect(200);
      expect(response.body).toEqual({
        data: { renameArticle: { id: '1', title: 'Renamed by bob' } },
      });
    });

    it("refuses an editor another author's article, and a viewer any", async () => {
      const bob = await login(suite.app, 'bob');
      const carol = await login(suite.app, 'carol');
      const before = await titleOf(3);
      for (const [client, id] of [
        [bob, '3'],
        [carol, '1'],
      ] as const) {
        const response = await rename(client, id, 'hijacked').expect(200);
        expect(codes(response.body)).toEqual(['forbidden']);
        expect(response.body.data).toEqual({ renameArticle: null });
      }
      expect(await titleOf(3)).toBe(before);
    });

    it('lets an admin rename any article', async () => {
      const alice = await login(suite.app, 'alice');
      const response = await rename(alice, '2', 'Edited by admin').expect(200);
      expect(response.body.data.renameArticle).toEqual({ id: '2', title: 'Edited by admin' });
    });

    it('answers an unknown id with not_found and a bad title with invalid_request', async () => {
      const alice = await login(suite.app, 'alice');
      expect(codes((await rename(alice, '999', 'x').expect(200)).body)).toEqual(['not_found']);
      expect(codes((await rename(alice, 'abc', 'x').expect(200)).body)).toEqual(['not_found']);
      const long = await rename(alice, '1', 'x'.repeat(201)).expect(200);
      expect(codes(long.body)).toEqual(['invalid_request']);
    });

    it('needs the X-CSRF-Token of the session, and refuses a cross-site origin', async () => {
      const bob = await login(suite.app, 'bob');
      const other = await login(suite.app, 'bob');
      expect(codes((await rename(bob, '1', 'no token', '').expect(200)).body)).toEqual([
        'csrf_rejected',
      ]);
      expect(codes((await rename(bob, '1', 'wrong', other.csrf).expect(200)).body)).toEqual([
        'csrf_rejected',
      ]);
      const cross = await gql('mutation { renameArticle(id: "1", title: "cross") { id } }', bob, {
        'X-CSRF-Token': bob.csrf,
        Origin: 'https://evil.example',
      }).expect(200);
      expect(codes(cross.body)).toEqual(['csrf_rejected']);
      expect(await titleOf(1)).not.toMatch(/no token|wrong|cross/);
    });

    it('asks for re-authentication after a permission change', async () => {
      const alice = await login(suite.app, 'alice');
      const bob = await login(suite.app, 'bob');
      await suite.app.http
        .put('/admin/users/2/roles')
        .set('Cookie', alice.cookie)
        .set('X-CSRF-Token', alice.csrf)
        .send({ roles: ['editor'] })
        .expect(200);
      const response = await rename(bob, '1', 'after change').expect(200);
      expect(response.body.errors[0].extensions).toMatchObject({
        code: 'reauth_required',
        reason: 'permissions_changed',
      });
      expect(response.body.data).toEqual({ renameArticle: null });
    });

    it('records the denials in the audit trail with the GraphQL surface', async () => {
      const carol = await login(suite.app, 'carol');
      await rename(carol, '1', 'denied');
      await rename(carol, '1', 'no token', '');
      const alice = await login(suite.app, 'alice');
      const audit = async (type: string) =>
        (
          await suite.app.http
            .get(`/admin/audit?userId=3&type=${type}`)
            .set('Cookie', alice.cookie)
            .expect(200)
        ).body;
      const [policy] = await audit('policy.denied');
      expect(policy).toMatchObject({ action: 'update', resource: 'Article' });
      expect(policy.details).toMatchObject({ surface: 'graphql' });
      const [csrf] = await audit('csrf.rejected');
      expect(csrf).toMatchObject({ action: 'graphql mutation renameArticle' });
      expect(csrf.details).toMatchObject({ surface: 'graphql' });
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with 400 invalid_request', async () => {
      const response = await suite.app.http
        .post('/graphql')
        .set('Content-Type', 'application/json')
        .send('{"query": "{ me { id }')
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'invalid_request' });
    });

    it('answers non-JSON bodies, huge, deep and unknown queries with a 4xx, and keeps serving', async () => {
      const bob = await login(suite.app, 'bob');
      const text = await suite.app.http
        .post('/graphql')
        .set('Content-Type', 'text/plain')
        .set('Cookie', bob.cookie)
        .send('{ me { id } }');
      expect(text.status).toBe(400);
      expect(text.text).not.toContain('bob');
      const big = await gql(`{ ${'me { id } '.repeat(3000)} }`, bob);
      expect(big.status).toBe(413);
      const many = await gql(
        `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(' ')} }`,
        bob,
      );
      expect(many.status).toBe(400);
      expect(many.body.errors[0].message).toMatch(/2000 tokens/);
      const deep = await gql('{ me { a { b { c { d { e { f { g { h { i } } } } } } } } } }', bob);
      expect(deep.status).toBe(400);
      expect(deep.body.errors.map((e: GraphqlError) => e.message)).toContain(
        'Query is nested deeper than 8 levels',
      );
      const unknown = await gql('{ secrets }', bob).expect(400);
      expect(codes(unknown.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const after = await gql('{ me { username } }', bob).expect(200);
      expect(after.body).toEqual({ data: { me: { username: 'bob' } } });
    });

    it('has no landing page and no stack traces', async () => {
      const page = await suite.app.http.get('/graphql').set('Accept', 'text/html');
      expect(page.status).toBeGreaterThanOrEqual(400);
      expect(page.status).toBeLessThan(500);
      expect(page.text).not.toMatch(/graphiql|<html/i);
      const denied = await gql('{ me { id } }');
      expect(denied.text).not.toMatch(/stacktrace|\.ts:\d+/);
    });
  });
});
