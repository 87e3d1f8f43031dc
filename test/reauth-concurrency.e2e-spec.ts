import { exampleSuite, login } from './support/example-app.js';

describe('concurrent re-authentication of one token', () => {
  const suite = exampleSuite('reauth_race');

  it('rotates once; the requests that lost the race get 401 session_revoked, never a 500', async () => {
    const client = await login(suite.app, 'bob');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        suite.app.http
          .post('/auth/reauth')
          .set('Cookie', client.cookie)
          .set('X-CSRF-Token', client.csrf)
          .send({ password: 'bob-password' }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 200)) {
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('session_revoked');
    }
  });
});
