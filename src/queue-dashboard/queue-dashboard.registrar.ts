import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import type { createBullBoard } from '@bull-board/api';
import type { Queue } from 'bull';

/** DI token of the dashboard: the bull-board instance, its Express adapter and what it shows. */
export const QUEUE_DASHBOARD = Symbol('SESSION_SECURITY_QUEUE_DASHBOARD');

/**
 * The dashboard's parts: the board, and the names of the module's Bull queues it shows (none
 * means the module runs without Redis).
 *
 * @example const { queues } = moduleRef.get<QueueDashboardState>(QUEUE_DASHBOARD);
 */
export interface QueueDashboardState {
  board: ReturnType<typeof createBullBoard>;
  readOnly: boolean;
  queues: string[];
}

/** Every queue of the module is named like this (`session-security-revocations`, ...). */
const MODULE_QUEUE = /^session-security-/;

/**
 * Finds the module's Bull queues among the app's providers (whatever feature registered them,
 * also those a provider holds as `bullQueues`, like the notification page queues) and adds each
 * once to the board.
 *
 * @example
 * providers: [QueueDashboardRegistrar] // in QueueDashboardModule
 */
@Injectable()
export class QueueDashboardRegistrar implements OnModuleInit {
  private readonly logger = new Logger('SessionSecurityQueueDashboard');

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(QUEUE_DASHBOARD) private readonly state: QueueDashboardState,
  ) {}

  onModuleInit(): void {
    const queues = new Map<string, Queue>();
    for (const wrapper of this.discovery.getProviders()) {
      for (const queue of bullQueuesOf(
        wrapper.isDependencyTreeStatic() ? wrapper.instance : null,
      )) {
        if (MODULE_QUEUE.test(queue.name)) queues.set(queue.name, queue);
      }
    }
    for (const queue of queues.values()) {
      this.state.board.addQueue(new BullAdapter(queue, { readOnlyMode: this.state.readOnly }));
    }
    this.state.queues = [...queues.keys()].sort();
    if (this.state.queues.length === 0) {
      this.logger.log('no Bull queues (the module runs without Redis): the dashboard is off');
    }
  }
}

/** The Bull queue a provider is, or those it holds (`bullQueues`: a queue per channel...). */
function bullQueuesOf(instance: unknown): Queue[] {
  const one = asBullQueue(instance);
  if (one) return [one];
  if (typeof instance !== 'object' || instance === null || !('bullQueues' in instance)) return [];
  const many = (instance as { bullQueues: unknown }).bullQueues;
  return Array.isArray(many) ? many.flatMap((q) => asBullQueue(q) ?? []) : [];
}

function asBullQueue(instance: unknown): Queue | null {
  const candidate = instance as Partial<Queue> | null;
  return candidate &&
    typeof candidate.name === 'string' &&
    typeof candidate.getJobCounts === 'function' &&
    typeof candidate.process === 'function'
    ? (candidate as Queue)
    : null;
}
