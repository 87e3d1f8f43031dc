import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SessionEvents } from '../session/session-events.js';
import { PermissionChangeQueue } from './permission-change.queue.js';

/**
 * Queues the background job of every `permissions.changed` event (id `<userId>:<version>`). The
 * event is emitted after the change is effective, and listeners are awaited, so the job is queued
 * before `permissionsChanged()` returns; registered after the audit subscriber, the change is
 * audited before its job can run.
 *
 * @example providers: [...permissionChangeProviders({})] // includes it
 */
@Injectable()
export class PermissionChangeSubscriber implements OnModuleInit {
  constructor(
    private readonly events: SessionEvents,
    private readonly queue: PermissionChangeQueue,
  ) {}

  onModuleInit(): void {
    this.events.on(async (event) => {
      if (event.type !== 'permissions.changed' || !event.userId) return;
      await this.queue.enqueue({ userId: event.userId, authzVersion: event.details.authzVersion });
    });
  }
}
