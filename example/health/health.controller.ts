import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public, SessionSecurityHealth } from '../../src/index.js';

@Controller('health')
export class HealthController {
  constructor(private readonly health: SessionSecurityHealth) {}

  /** 200 when the database and Redis answer; 503 naming what does not. */
  @Public()
  @Get()
  async check(@Res() response: Response): Promise<void> {
    const report = await this.health.check();
    const down = [
      report.database === 'down' && 'database',
      report.redis === 'down' && 'redis',
    ].filter(Boolean);
    response.status(report.ok ? 200 : 503).json({
      status: report.ok ? 'ok' : 'unavailable',
      ...(down.length ? { message: `unreachable: ${down.join(', ')}` } : {}),
      database: report.database,
      redis: report.redis,
      cacheFallbackSince: report.cacheFallbackSince,
    });
  }
}
