import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';

const SECRET = 'webhook-secret-of-at-least-32-characters';

describe('webhook signature', () => {
  it('is sha256= and the hex HMAC-SHA256 of the raw body', () => {
    const body = '{"id":"n-1","type":"new_sign_in"}';
    const hex = createHmac('sha256', SECRET).update(body).digest('hex');
    expect(signWebhookBody(body, SECRET)).toBe(`sha256=${hex}`);
    expect(signWebhookBody(Buffer.from(body), SECRET)).toBe(`sha256=${hex}`);
  });

  it('verifies what it signed', () => {
    fc.assert(
      fc.property(fc.string(), (body) => {
        expect(verifyWebhookSignature(body, signWebhookBody(body, SECRET), SECRET)).toBe(true);
      }),
    );
  });

  it('rejects another body, another secret, a truncated or missing signature', () => {
    const signature = signWebhookBody('{"a":1}', SECRET);
    expect(verifyWebhookSignature('{"a":2}', signature, SECRET)).toBe(false);
    expect(verifyWebhookSignature('{"a":1}', signature, `${SECRET}x`)).toBe(false);
    expect(verifyWebhookSignature('{"a":1}', signature.slice(0, -1), SECRET)).toBe(false);
    expect(verifyWebhookSignature('{"a":1}', undefined, SECRET)).toBe(false);
    expect(verifyWebhookSignature('{"a":1}', [signature], SECRET)).toBe(false);
  });

  it('rejects a body re-serialised with other whitespace (receivers must verify raw bytes)', () => {
    const signature = signWebhookBody('{"a":1}', SECRET);
    expect(verifyWebhookSignature('{ "a": 1 }', signature, SECRET)).toBe(false);
  });
});
