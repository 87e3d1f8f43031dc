import { InAppChannel } from './in-app.channel.js';
import { SessionSecurityOptionsError } from '../options/options-error.js';
import { resolveNotificationOptions } from './notification-options.js';

describe('resolveNotificationOptions', () => {
  it('fills the defaults', () => {
    expect(resolveNotificationOptions()).toMatchObject({ worker: true, attempts: 8 });
    const secret = 'x'.repeat(32);
    expect(
      resolveNotificationOptions({ webhook: { url: 'https://h.example', secret } }),
    ).toMatchObject({
      webhook: { batchSize: 100, concurrency: 2, timeout: 5_000 },
    });
  });

  it("rejects a queue connection of its own: every queue is on the module's Redis", () => {
    const own = { redis: 'redis://127.0.0.1:6379', queuePrefix: 'x:', queue: 'bull' };
    expect(() => resolveNotificationOptions(own as never)).toThrow(
      /notifications\.redis[\s\S]*notifications\.queuePrefix[\s\S]*notifications\.queue/,
    );
  });

  it('names every bad option at once', () => {
    let error: unknown;
    try {
      resolveNotificationOptions({
        webhook: { url: 'ftp://hooks.example.com', secret: 'short', batchSize: 0, concurrency: 99 },
        channels: [new InAppChannel(), { name: 'bad name', deliver: async () => {} }],
        attempts: 0,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionSecurityOptionsError);
    const message = (error as Error).message;
    expect(message).toMatch(/notifications\.webhook\.url: must be an http\(s\) URL/);
    expect(message).toMatch(/notifications\.webhook\.secret: must be at least 32 characters/);
    expect(message).toMatch(/notifications\.webhook\.batchSize: must be an integer from 1 to 1000/);
    expect(message).toMatch(/notifications\.webhook\.concurrency: must be an integer from 1 to 32/);
    expect(message).toMatch(/notifications\.channels\[0\]\.name: 'in_app' is already taken/);
    expect(message).toMatch(/notifications\.channels\[1\]\.name: 1-64 letters/);
    expect(message).toMatch(/notifications\.attempts: must be an integer from 1 to 50/);
  });
});
