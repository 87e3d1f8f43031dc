import { Controller, Get } from '@nestjs/common';

/** The trivial handler every variant serves: a small JSON body, no I/O. */
@Controller('bench')
export class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}
