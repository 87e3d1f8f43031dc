import { enqueueWithin } from './bounded-enqueue.js';

describe('enqueueWithin', () => {
  it('answers queued when the queue takes the job', async () => {
    await expect(enqueueWithin(async () => 'ok')).resolves.toEqual({
      outcome: 'queued',
      error: null,
    });
  });

  it('answers deferred, with the reason, when the queue refuses or throws at once', async () => {
    const rejected = await enqueueWithin(() => Promise.reject(new Error('connection is closed')));
    expect(rejected).toMatchObject({
      outcome: 'deferred',
      error: { message: 'connection is closed' },
    });
    const thrown = await enqueueWithin(() => {
      throw new Error('sync');
    });
    expect(thrown.outcome).toBe('deferred');
  });

  it('answers deferred when the queue never answers, and ignores a late failure', async () => {
    let fail: (error: Error) => void = () => undefined;
    const never = new Promise((_, reject) => (fail = reject));
    const result = await enqueueWithin(() => never, 20);
    expect(result).toMatchObject({
      outcome: 'deferred',
      error: { message: expect.stringMatching(/20 ms/) },
    });
    fail(new Error('late')); // must not become an unhandled rejection
    await new Promise((resolve) => setImmediate(resolve));
  });
});
