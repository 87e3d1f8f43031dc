import { Injectable, Logger } from '@nestjs/common';

import type { SessionEvent } from '../events/session-event.types.js';

export type {
  SessionEvent,
  SessionEventDetails,
  SessionEventType,
} from '../events/session-event.types.js';

export type SessionEventListener = (event: SessionEvent) => Promise<void> | void;

/**
 * In-process fan-out of {@link SessionEvent}s. Listeners are awaited so an event is recorded before
 * the operation that caused it returns; a failing listener is logged, never rethrown.
 *
 * @example sessionEvents.on((event) => audit.record(event));
 */
@Injectable()
export class SessionEvents {
  private readonly logger = new Logger('SessionSecurity');
  private readonly listeners: SessionEventListener[] = [];

  on(listener: SessionEventListener): void {
    this.listeners.push(listener);
  }

  async emit(event: SessionEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.logger.error(`listener failed for ${event.type}: ${(error as Error).message}`);
      }
    }
  }
}
