import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AUDIT_CONFIG, type ResolvedAuditConfig } from './audit-config.js';
import { AuditRetentionService, type AuditPruneResult } from './audit-retention.service.js';

/**
 * What one run of the retention job did: the cutoff it pruned to and what it removed.
 *
 * @example const { cutoff, removed } = await job.run();
 */
export interface AuditRetentionRun extends AuditPruneResult {
  /** Events recorded before this epoch (ms) were removed. */
  cutoff: number;
}

/**
 * One run of the retention job: prunes the events older than `audit.retention.maxAge`, with the
 * configured batch size and archive hook. The Bull processor and the in-process timer both call
 * it; a delivery that repeats a run passes the cutoff of the first, so it removes nothing more.
 *
 * @example
 * const run = await moduleRef.get(AuditRetentionJob).run();
 * console.log(`pruned ${run.removed} events up to ${new Date(run.cutoff).toISOString()}`);
 */
@Injectable()
export class AuditRetentionJob {
  private readonly logger = new Logger('SessionSecurityAudit');

  constructor(
    private readonly retention: AuditRetentionService,
    @Inject(AUDIT_CONFIG) private readonly config: ResolvedAuditConfig,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The cutoff a run starting now uses: now minus `maxAge`. */
  cutoffNow(): number {
    return this.clock.now() - this.settings().maxAgeMs;
  }

  /**
   * Prunes up to `cutoff` (default {@link cutoffNow}) and leaves a signed checkpoint. Rejects
   * (after logging) when the chain is broken among the events to remove, so a queue retries and
   * the evidence stays.
   */
  async run(cutoff = this.cutoffNow()): Promise<AuditRetentionRun> {
    const { batchSize, archive } = this.settings();
    try {
      const result = await this.retention.pruneBefore(cutoff, { batchSize, archive });
      if (result.removed > 0) {
        this.logger.log(
          `audit retention removed ${result.removed} events up to seq ${result.checkpoint?.seq}`,
        );
      }
      return { cutoff, ...result };
    } catch (error) {
      this.logger.error(`audit retention failed: ${(error as Error).message}`);
      throw error;
    }
  }

  private settings() {
    const settings = this.config.retention;
    if (!settings) throw new Error('audit.retention is not configured');
    return settings;
  }
}
