import { InAppChannel } from './in-app.channel.js';
import { SessionSecurityOptionsError } from '../options/options-error.js';
import { resolveNotificationOptions } from './notification-options.js';

describe('resolveNotificationOptions', () => {
  it('runs in process without Redis and on Bull with it', () => {
    expect(resolveNotificationOptions().queue).toBe('inline');
    expect(resolveNotificationOptions({ redis: 'redis://127.0.0.1:6379' })).toMatchObject({
      queue: 'bull',
      queuePrefix: 'ss:bull',
      worker: true,
      attempts: 8,
    });
  });

  it('names every bad option at once', () => {
    let error: unknown;
    try {
      resolveNotificationOptions({
        webhook: { url: 'ftp://hooks.example.com', secret: 'short' },
        channels: [new InAppChannel(), { name: 'bad name', deliver: async () => {} }],
        attempts: 0,
        queuePrefix: 'has space',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionSecurityOptionsError);
    const message = (error as Error).message;
    expect(message).toMatch(/notifications\.webhook\.url: must be an http\(s\) URL/);
    expect(message).toMatch(/notifications\.webhook\.secret: must be at least 32 characters/);
    expect(message).toMatch(/notifications\.channels\[0\]\.name: 'in_app' is already taken/);
    expect(message).toMatch(/notifications\.channels\[1\]\.name: 1-64 letters/);
    expect(message).toMatch(/notifications\.attempts: must be an integer from 1 to 50/);
    expect(message).toMatch(/notifications\.queuePrefix/);
  });
});
