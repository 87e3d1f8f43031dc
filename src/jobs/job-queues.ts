import type { Provider } from '@nestjs/common';
import type Bull from 'bull';
import type { RedisSource } from '../common/redis-clients.js';
import { BullJobQueue } from './bull-job-queue.js';
import { InlineJobQueue } from './inline-job-queue.js';
import type { JobHandler, JobQueue } from './job-queue.js';
import {
  BullRepeatableSchedule,
  TimerRepeatableSchedule,
  type RepeatableSchedule,
  type RepeatableScheduleSpec,
} from './repeatable-schedule.js';

/** What {@link JobQueues.open} builds a queue from. */
export interface JobQueueSpec<T> {
  /** The queue name (`session-security-…`). */
  name: string;
  handler: JobHandler<T>;
  /** Process jobs in this process (Bull; in process, jobs always run here). */
  worker: boolean;
  /** Jobs processed at once by this process (Bull: default 1; in process: default no bound). */
  concurrency?: number;
  /** Bull lock and stall settings. */
  settings?: Bull.AdvancedSettings;
  /** Logger context. */
  logContext?: string;
}

/** The one connection setting of every module queue. */
export interface JobQueuesConfig {
  /** The module's Redis; `null`: every queue runs in process. */
  redis: RedisSource | null;
  /** Key prefix of every Bull queue (`<redisKeyPrefix>bull`); the queue name is its hash tag. */
  prefix: string;
}

/**
 * Opens the module's queues and repeatable schedules, all on the one Redis setting and key prefix
 * of the module: Bull queues when the module has Redis, in-process ones when it does not. Each
 * feature asks it for its queue; none connects on its own.
 *
 * @example
 * const queue = queues.open({ name: 'session-security-notifications', handler, worker: true });
 */
export class JobQueues {
  constructor(readonly config: JobQueuesConfig) {}

  /** Whether queues are Bull queues (shared by every instance) rather than in process. */
  get shared(): boolean {
    return this.config.redis !== null;
  }

  open<T>(spec: JobQueueSpec<T>): JobQueue<T> {
    if (!this.config.redis) {
      return new InlineJobQueue(spec.name, spec.handler, spec.logContext, spec.concurrency);
    }
    return new BullJobQueue({ ...spec, redis: this.config.redis, prefix: this.config.prefix });
  }

  /**
   * A job run every `everyMs`: one repeatable Bull job whatever the number of instances, or a
   * timer in this process (only where `worker` is on: without Redis nothing else would run it).
   * `null` when this process neither schedules nor runs it.
   */
  repeat<T extends object, R>(spec: RepeatableScheduleSpec<T, R>): RepeatableSchedule<T, R> | null {
    if (this.shared) return new BullRepeatableSchedule(this.open(spec), spec);
    return spec.worker ? new TimerRepeatableSchedule(this.open(spec), spec) : null;
  }
}

/**
 * Provides {@link JobQueues} for an app that uses a feature's providers outside
 * `SessionSecurityModule` (which provides it itself, from its `redis` and `redisKeyPrefix`).
 *
 * @example providers: [jobQueuesProvider({ redis: process.env.REDIS_URL ?? null, prefix: 'ss:bull' }), ...notificationProviders()]
 */
export function jobQueuesProvider(config: JobQueuesConfig): Provider {
  return { provide: JobQueues, useValue: new JobQueues(config) };
}
