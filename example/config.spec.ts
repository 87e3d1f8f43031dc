import { readConfig } from './config.js';

describe('example config: SESSION_WORKER', () => {
  it('processes jobs in the HTTP app unless told otherwise', () => {
    expect(readConfig({}).worker).toBe(true);
    expect(readConfig({ SESSION_WORKER: 'true' }).worker).toBe(true);
  });

  it('runs the HTTP app without a worker with SESSION_WORKER=false (or 0)', () => {
    expect(readConfig({ SESSION_WORKER: 'false' }).worker).toBe(false);
    expect(readConfig({ SESSION_WORKER: '0' }).worker).toBe(false);
  });

  it('refuses any other value, naming the variable', () => {
    expect(() => readConfig({ SESSION_WORKER: 'maybe' })).toThrow(
      "SESSION_WORKER: must be true or false, got 'maybe'",
    );
  });
});
