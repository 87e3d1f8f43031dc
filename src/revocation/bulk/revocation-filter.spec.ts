import { parseRevocationRequest, RevocationFilterError } from './revocation-filter.js';

describe('parseRevocationRequest and control characters', () => {
  it.each([
    [{ filter: { userIds: ['a\u0000'] }, reason: 'x' }, 'filter.userIds.0'],
    [{ filter: { tenantId: '\u0000' }, reason: 'x' }, 'filter.tenantId'],
    [{ filter: { userAgent: 'Mozilla\n' }, reason: 'x' }, 'filter.userAgent'],
    [{ filter: { all: true }, reason: 'incident\u0000' }, 'reason'],
  ])('refuses %j naming %s', (body, field) => {
    let error: unknown;
    try {
      parseRevocationRequest(body);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RevocationFilterError);
    expect(error).toMatchObject({
      field,
      message: `${field}: must not contain control characters`,
    });
  });

  it('accepts printable text, spaces and non-ASCII letters', () => {
    const request = parseRevocationRequest({
      filter: { userIds: ['user 1'], userAgent: 'Safari/605 (Mac)' },
      reason: 'incident 42 — Zürich',
    });
    expect(request.reason).toBe('incident 42 — Zürich');
  });
});
