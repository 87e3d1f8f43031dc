import { InvalidRequestException } from '../errors/session-security.exception.js';
import { parsePolicyQuestion } from './policy-question.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const base = { as: { id: 2, roles: ['editor'] }, action: 'read', subject: 'Report' };

describe('parsePolicyQuestion', () => {
  it('reads a local time in its zone, the address, country, level and session age', () => {
    const check = parsePolicyQuestion(
      {
        ...base,
        at: '2026-03-28T23:10',
        tz: 'Europe/Berlin',
        ip: '10.0.0.7',
        country: 'de',
        authLevel: 'mfa',
        sessionAge: '2h',
        remembered: true,
        impersonated: false,
      },
      NOW,
    );
    expect(check.context).toEqual({
      now: Date.parse('2026-03-28T22:10:00Z'),
      ip: '10.0.0.7',
      country: 'DE',
      authLevel: 'mfa',
      sessionCreatedAt: Date.parse('2026-03-28T20:10:00Z'),
      authenticatedAt: Date.parse('2026-03-28T20:10:00Z'),
      remembered: true,
      impersonated: false,
    });
    expect(check.subject).toBe('Report');
    expect(check.user).toEqual({ id: 2, roles: ['editor'], tenantId: null });
  });

  it('leaves facts it is not given unknown, and uses now when there is no time', () => {
    expect(parsePolicyQuestion(base, NOW).context).toEqual({
      now: NOW,
      ip: '',
      country: null,
      authLevel: null,
      sessionCreatedAt: null,
      authenticatedAt: null,
      remembered: null,
      impersonated: null,
    });
  });

  it('tags a resource with its subject type', () => {
    const check = parsePolicyQuestion(
      { ...base, subject: 'Article', resource: { authorId: 2 } },
      NOW,
    );
    expect(check.subject).toMatchObject({ authorId: 2 });
    expect(check.subject).not.toBe('Article');
  });

  it.each([
    [{ ...base, tz: 'Europe/Berlim' }, "tz: unknown time zone 'Europe/Berlim'"],
    [{ ...base, at: 'yesterday' }, "at: not an ISO date or date-time 'yesterday'"],
    [{ ...base, ip: '10.0.0.0/8' }, "ip: not an IP address '10.0.0.0/8'"],
    [{ ...base, sessionAge: 'long' }, 'sessionAge: invalid duration'],
    [{ ...base, country: 'Germany' }, 'country: expected an ISO 3166-1 alpha-2 code'],
    [{ ...base, as: { id: 2 } }, 'as.roles:'],
    [{ ...base, extra: 1 }, 'extra'],
    [null, '(body)'],
  ])('refuses a bad question with a 400 naming the field (%j)', (input, message) => {
    let error: unknown;
    try {
      parsePolicyQuestion(input, NOW);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect((error as InvalidRequestException).getStatus()).toBe(400);
    expect((error as Error).message).toContain(message);
  });
});
