import type { DiscoveryService } from '@nestjs/core';
import Bull, { type Queue } from 'bull';
import { QueueDashboardRegistrar, type QueueDashboardState } from './queue-dashboard.registrar.js';

/** A Bull queue object without connections (the board only keeps it). */
const fakeQueue = (name: string): Queue =>
  Object.assign(Object.create(Bull.prototype) as Queue, { name });

describe('QueueDashboardRegistrar', () => {
  it("shows the module's queues, also those a provider holds as bullQueues, each once", () => {
    const added: string[] = [];
    const state = {
      board: { addQueue: (adapter: { getName(): string }) => added.push(adapter.getName()) },
      readOnly: true,
      queues: [],
    } as unknown as QueueDashboardState;
    const providers = [
      fakeQueue('session-security-notifications'),
      {
        bullQueues: [fakeQueue('session-security-notifications-webhook'), { name: 'not a queue' }],
      },
      { bullQueues: [fakeQueue('session-security-notifications-webhook')] },
      fakeQueue('someone-elses-queue'),
      { unrelated: true },
      null,
    ].map((instance) => ({ instance, isDependencyTreeStatic: () => true }));
    const discovery = { getProviders: () => providers } as unknown as DiscoveryService;
    new QueueDashboardRegistrar(discovery, state).onModuleInit();
    expect(state.queues).toEqual([
      'session-security-notifications',
      'session-security-notifications-webhook',
    ]);
    expect(added.sort()).toEqual(state.queues);
  });
});
