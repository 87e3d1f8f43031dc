import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { requestState } from '../session/request-state.js';
import { LIVE_SHUTDOWN } from './live-connection.types.js';
import type { LiveConnections } from './live-connections.service.js';

/** The last event of a stream whose session ended: `event: session-ended`, data the denial code. */
export interface SessionEndedEvent {
  type: 'session-ended';
  data: string;
}

/**
 * Ends an `@Sse()` stream when the session of its request ends on any instance (logout,
 * revocation, disable, permission change, expiry): the stream sends `event: session-ended` with
 * the denial code as data, then completes. A request without a session ends at once the same way
 * (`session_required`).
 *
 * @example
 * \@Sse('events')
 * events(@Req() request: object) {
 *   return interval(1000).pipe(map(() => ({ data: 'tick' })), endWithSession(this.live, request));
 * }
 */
export function endWithSession<T>(
  live: LiveConnections,
  request: object,
): OperatorFunction<T, T | SessionEndedEvent> {
  return (source) =>
    new Observable<T | SessionEndedEvent>((subscriber) => {
      const state = requestState(request);
      if (!state.session || !state.tokenHash) {
        subscriber.next({ type: 'session-ended', data: 'session_required' });
        subscriber.complete();
        return undefined;
      }
      const handle = live.register({
        sessionId: state.session.id,
        userId: state.session.userId,
        tenantId: state.session.tenantId ?? null,
        roles: state.session.roles,
        tokenHash: state.tokenHash,
        kind: 'sse',
        end: (why) => {
          inner.unsubscribe();
          if (why.code !== LIVE_SHUTDOWN)
            subscriber.next({ type: 'session-ended', data: why.code });
          subscriber.complete();
        },
      });
      const inner: Subscription = source.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => {
          handle.release();
          subscriber.error(error);
        },
        complete: () => {
          handle.release();
          subscriber.complete();
        },
      });
      return () => {
        handle.release();
        inner.unsubscribe();
      };
    });
}
