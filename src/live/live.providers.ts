import type { Provider } from '@nestjs/common';
import type { RedisClient } from '../common/redis-clients.js';
import { RESOLVED_OPTIONS, SESSION_SECURITY_REDIS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionService } from '../session/session.service.js';
import { LiveConnections } from './live-connections.service.js';
import { LocalLiveSignalBus, RedisLiveSignalBus } from './live-signal-bus.js';
import { liveSignalFor } from './live-triggers.js';

/**
 * The live-connection registry of the module: fan-out through the module's Redis (in process
 * with `redis: false`), fed by the session events of this instance.
 */
export const liveProviders: Provider[] = [
  {
    provide: LiveConnections,
    inject: [RESOLVED_OPTIONS, SESSION_SECURITY_REDIS, SessionService, SessionEvents],
    useFactory: async (
      options: ResolvedOptions,
      redis: RedisClient | null,
      sessions: SessionService,
      events: SessionEvents,
    ) => {
      const { sweepIntervalMs } = options.live;
      let bus: LocalLiveSignalBus | RedisLiveSignalBus = new LocalLiveSignalBus();
      if (redis) {
        bus = new RedisLiveSignalBus(redis, options.redisKeyPrefix);
        await bus.start();
      }
      const live = new LiveConnections(sessions, bus, sweepIntervalMs);
      events.on(async (event) => {
        const signal = liveSignalFor(event);
        if (signal) await live.signal(signal);
      });
      return live;
    },
  },
];
