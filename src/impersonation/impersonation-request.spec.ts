import { InvalidRequestException } from '../errors/session-security.exception.js';
import { checkImpersonationRequest } from './impersonation-request.js';

const HOUR = 3_600_000;

describe('checkImpersonationRequest', () => {
  it('accepts a reason and a duration within the bound, trimming the reason', () => {
    expect(
      checkImpersonationRequest({ reason: '  ticket #4821  ', duration: '15m' }, HOUR),
    ).toEqual({ reason: 'ticket #4821', durationMs: 900_000 });
    expect(checkImpersonationRequest({ reason: 'x', duration: HOUR }, HOUR).durationMs).toBe(HOUR);
  });

  it.each([
    ['no reason', { duration: '15m' }, /^reason: required/],
    ['a blank reason', { reason: '   ', duration: '15m' }, /^reason: required/],
    ['a reason that is not text', { reason: 42, duration: '15m' }, /^reason: required/],
    ['a reason over 500 characters', { reason: 'x'.repeat(501), duration: '15m' }, /^reason:/],
    ['no duration', { reason: 'ticket' }, /^duration: required/],
    ['a duration that is not one', { reason: 'ticket', duration: 'soon' }, /^duration: invalid/],
    ['a negative duration', { reason: 'ticket', duration: -5 }, /^duration: invalid/],
    ['a duration of an object', { reason: 'ticket', duration: { m: 5 } }, /^duration: required/],
    [
      'a duration past the bound',
      { reason: 'ticket', duration: '2h' },
      /^duration: at most 3600000 ms/,
    ],
  ])('refuses %s with a 400 naming the field', (_name, input, message) => {
    let thrown: unknown;
    try {
      checkImpersonationRequest(input, HOUR);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRequestException);
    expect((thrown as InvalidRequestException).getStatus()).toBe(400);
    expect((thrown as InvalidRequestException).message).toMatch(message);
  });
});
