import { exampleSuite, login, type Client } from './support/example-app.js';

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('bad input the fuzzers found answers 4xx in the module error shape', () => {
  const suite = exampleSuite('bad_input');
  let alice: Client;

  beforeAll(async () => {
    alice = await login(suite.app, 'alice');
  });

  const post = (path: string, body: string, client?: Client) => {
    let call = suite.app.http.post(path).set('Content-Type', 'application/json');
    if (client) call = call.set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf);
    return call.send(body);
  };

  it.each(['/auth/login', '/me/sessions', '/articles', '/auth/reauth'])(
    'answers 400 to an 8,000-level nested array posted to %s, signed in or not',
    async (path) => {
      const body = nested(8_000);
      expect(body.length).toBeLessThan(16 * 1024);
      for (const client of [undefined, alice]) {
        const response = await post(path, body, client);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(typeof response.body.error).toBe('string');
      }
    },
  );

  it('refuses nesting past 64 levels with 400 invalid_request, and finds a NUL within them', async () => {
    const deep = await post('/auth/login', nested(8_000)).expect(400);
    expect(deep.body).toEqual({
      statusCode: 400,
      error: 'invalid_request',
      message: 'JSON body is nested deeper than 64 levels',
    });
    const nul = await post('/auth/login', '{"a":' + nested(60, '{"b":"x\\u0000"}') + '}');
    expect(nul.status).toBe(400);
    expect(nul.body.message).toBe('NUL characters are not allowed');
    await post('/auth/login', '{"a":' + nested(60) + '}').expect(400);
  });

  it('answers a nested array as a GraphQL body or variable with a 4xx', async () => {
    for (const body of [
      nested(8_000),
      `{"query":"query { me { id } }","variables":{"x":${nested(7_000)}}}`,
    ]) {
      const response = await post('/graphql', body, alice);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });

  it('walks deeply nested inline fragments without a 5xx, and refuses deeper ones at parse', async () => {
    const query = (levels: number) =>
      JSON.stringify({
        query: `query { ${'... on Query { '.repeat(levels)}me { id }${' }'.repeat(levels)} }`,
      });
    const walked = await post('/graphql', query(390), alice).expect(200);
    expect(walked.body).toEqual({ data: { me: { id: '1' } } });
    const body = query(900);
    expect(body.length).toBeLessThan(16 * 1024);
    const refused = await post('/graphql', body, alice).expect(400);
    expect(refused.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('keeps serving afterwards', async () => {
    await suite.app.http.get('/me').set('Cookie', alice.cookie).expect(200);
  });
});
