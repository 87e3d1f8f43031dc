import { resolveBulkRevocationOptions } from './bulk-revocation.options.js';

describe('resolveBulkRevocationOptions', () => {
  it('fills the defaults', () => {
    expect(resolveBulkRevocationOptions({})).toEqual({
      worker: true,
      batchSize: 5_000,
      attempts: 5,
      backoffMs: 1_000,
      stalledAfterMs: 30_000,
      notify: true,
      notifyPer: 'user',
    });
  });

  it('names every bad option at once', () => {
    expect(() =>
      resolveBulkRevocationOptions({
        batchSize: 0,
        stalledAfter: 10,
        notify: 'yes' as never,
        notifyPer: 'tenant' as never,
        worker: 1 as never,
        queue: 'kafka' as never,
      } as never),
    ).toThrow(
      /bulkRevocation\.worker: must be true or false[\s\S]*bulkRevocation\.batchSize: must be an integer from 1 to 100000[\s\S]*bulkRevocation\.stalledAfter: must be at least 500 ms[\s\S]*bulkRevocation\.notify: must be true or false[\s\S]*bulkRevocation\.notifyPer: must be 'user' or 'session'[\s\S]*bulkRevocation\.queue: unknown option/,
    );
  });
});
