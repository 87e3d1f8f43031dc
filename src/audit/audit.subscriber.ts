import { Injectable, OnModuleInit } from '@nestjs/common';
import { SessionEvents } from '../session/session-events.js';
import { AuditService } from './audit.service.js';

/** Records every session event in the audit log before the operation that caused it returns. */
@Injectable()
export class AuditSubscriber implements OnModuleInit {
  constructor(
    private readonly events: SessionEvents,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.events.on((event) => this.audit.record(event));
  }
}
