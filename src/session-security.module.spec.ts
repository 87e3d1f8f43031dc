import type { DynamicModule, Provider } from '@nestjs/common';
import { NOTIFICATION_OPTIONS } from './notifications/notification-options.js';
import { BULK_REVOCATION_OPTIONS } from './revocation/bulk/bulk-revocation.options.js';
import { BulkRevocationService } from './revocation/bulk/bulk-revocation.service.js';
import type { SessionSecurityExtras } from './session-security.module-definition.js';
import { SessionSecurityModule } from './session-security.module.js';

const options = { dataSource: {} as never, secret: 's'.repeat(32), redis: false as const };

function valueOf(module: DynamicModule, token: symbol): Record<string, unknown> | undefined {
  const provider = (module.providers ?? []).find(
    (p: Provider) => typeof p === 'object' && 'provide' in p && p.provide === token,
  );
  return provider && 'useValue' in provider ? provider.useValue : undefined;
}

function workers(extras: SessionSecurityExtras) {
  const module = SessionSecurityModule.forRoot({ ...options, ...extras });
  return {
    notifications: valueOf(module, NOTIFICATION_OPTIONS)?.worker,
    bulk: valueOf(module, BULK_REVOCATION_OPTIONS)?.worker,
    exportsBulk: (module.exports ?? []).includes(BulkRevocationService),
  };
}

describe('SessionSecurityModule extras', () => {
  it('processes every queue in this process by default and exports bulk revocation', () => {
    expect(workers({})).toEqual({ notifications: true, bulk: true, exportsBulk: true });
  });

  it('makes the top-level worker the default of every queue', () => {
    expect(workers({ worker: false })).toMatchObject({ notifications: false, bulk: false });
  });

  it('lets a queue-specific worker setting win over the top-level one', () => {
    expect(
      workers({ worker: false, notifications: { worker: true }, bulkRevocation: { worker: true } }),
    ).toMatchObject({ notifications: true, bulk: true });
    expect(workers({ worker: true, bulkRevocation: { worker: false } })).toMatchObject({
      notifications: true,
      bulk: false,
    });
  });

  it('leaves bulk revocation out with bulkRevocation: false', () => {
    expect(workers({ bulkRevocation: false })).toEqual({
      notifications: true,
      bulk: undefined,
      exportsBulk: false,
    });
  });

  it('refuses bad bulk revocation options at startup, naming them', () => {
    expect(() => workers({ bulkRevocation: { batchSize: 0 } })).toThrow(/batchSize: must be/);
  });
});
