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
   * (`service_unavailable`, the message naming what does not answer). Says which platform runs.
   */
  @Public()
  @Get()
  async check(@Res({ passthrough: true }) response: StatusReply) {
    const report = await this.health.check();
    const down = [
      report.database === 'down' && 'database',
      report.redis === 'down' && 'redis',
    ].filter(Boolean);
    response.status(report.ok ? 200 : 503);
    return {
      ...(report.ok ? {} : { statusCode: 503, error: 'service_unavailable' }),
      status: report.ok ? 'ok' : 'unavailable',
      ...(down.length ? { message: `unreachable: ${down.join(', ')}` } : {}),
      database: report.database,
      redis: report.redis,
      cacheFallbackSince: report.cacheFallbackSince,
      adapter: this.adapterHost.httpAdapter.getType() === 'fastify' ? 'fastify' : 'express',
    };
  }
}
