import { Controller, Get, Query } from '@nestjs/common';
import {
  AuditService,
  Can,
  InvalidRequestException,
  RefuseImpersonation,
} from '../../src/index.js';

/** NUL and other control characters: never in an id or a type (PostgreSQL text refuses NUL). */
const CONTROL = /\p{Cc}/u;

/** Recent audit events for admins, filtered by user and type. */
@Can('read', 'AuditLog')
@RefuseImpersonation()
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Query('userId') userId?: unknown, @Query('type') type?: unknown) {
    for (const [name, value] of [
      ['userId', userId],
      ['type', type],
    ] as const) {
      if (
        value !== undefined &&
        (typeof value !== 'string' || value.length > 128 || CONTROL.test(value))
      ) {
        throw new InvalidRequestException(
          `${name}: must be a single string of at most 128 characters, without control characters`,
        );
      }
    }
    return this.audit.list({
      userId: userId as string | undefined,
      type: type as string | undefined,
      limit: 100,
    });
  }
}
