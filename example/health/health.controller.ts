import { Controller, Get, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Public, SessionSecurityHealth } from '../../src/index.js';

/** The part of an Express response or a Fastify reply the health check uses. */
interface StatusReply {
  status(code: number): unknown;
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: SessionSecurityHealth,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * 200 when the database and Redis answer; otherwise 503 in the module's error shape
   * (`service_unavailable`, the message naming what does not answer, or saying that sessions are
   * validated against the database while the shared cache recovers). Says which platform runs,
   * the mode (`shared` or `single-instance`) and since when the instance has not used Redis.
   */
  @Public()
  @Get()
  async check(@Res({ passthrough: true }) response: StatusReply) {
    const report = await this.health.check();
    const down = [
      report.database === 'down' && 'database',
      report.redis === 'down' && 'redis',
    ].filter(Boolean);
    const message = down.length
      ? `unreachable: ${down.join(', ')}`
      : report.ok
        ? null
        : 'degraded: redis is back, sessions are validated against the database until it is in use again';
    response.status(report.ok ? 200 : 503);
    return {
      ...(report.ok ? {} : { statusCode: 503, error: 'service_unavailable' }),
      status: report.ok ? 'ok' : 'unavailable',
      ...(message ? { message } : {}),
      database: report.database,
      redis: report.redis,
      mode: report.mode,
      cacheFallbackSince: report.cacheFallbackSince,
      cacheDistrustedSince: report.cacheDistrustedSince,
      adapter: this.adapterHost.httpAdapter.getType() === 'fastify' ? 'fastify' : 'express',
    };
  }
}
