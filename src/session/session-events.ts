import { Injectable, Logger } from '@nestjs/common';

/** Something that happened to a session; the audit log and notifications listen to these. */
export interface SessionEvent {
  type: string;
  userId?: string | null;
  sessionId?: string | null;
  actor?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  action?: string;
  resource?: string;
  details?: Record<string, unknown>;
}

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
