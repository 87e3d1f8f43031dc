import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { SessionSecurityException } from '../../errors/session-security.exception.js';
import { RequireFreshAuth } from '../../fresh-auth/require-fresh-auth.decorator.js';
import { CurrentSession } from '../../http/current-session.decorator.js';
import type { ActiveSession } from '../../session/session.types.js';
import { BulkRevocationService } from './bulk-revocation.service.js';
import { parseRevocationRequest, RevocationFilterError } from './revocation-filter.js';
import { IdempotencyKeyReusedError, parseIdempotencyKey } from './revocation-idempotency.js';

/** The part of an Express response or a Fastify reply a dry run needs (both have `status`). */
interface StatusReply {
  status(code: number): unknown;
}

/**
 * 400 `invalid_request` naming the bad field of a revocation request (body also has `field`).
 *
 * @example throw new InvalidRevocationFilterException(new RevocationFilterError('filter.ip', 'bad CIDR'));
 */
export class InvalidRevocationFilterException extends SessionSecurityException {
  constructor(error: RevocationFilterError) {
    super(400, 'invalid_request', error.message, { field: error.field });
  }
}

/**
 * 422 `idempotency_key_reused`: the `Idempotency-Key` already started a job for another filter or
 * reason (body also has that `jobId`, which the same actor may read anyway).
 *
 * @example throw new IdempotencyKeyReusedException(error);
 */
export class IdempotencyKeyReusedException extends SessionSecurityException {
  constructor(error: IdempotencyKeyReusedError) {
    super(422, 'idempotency_key_reused', error.message, { jobId: error.jobId });
  }
}

/** 404 `not_found` for an unknown or malformed revocation job id. */
export class RevocationJobNotFoundException extends SessionSecurityException {
  constructor() {
    super(404, 'not_found', 'No such revocation job');
  }
}

/**
 * Opt-in admin API of bulk revocation; routes are relative and it attaches no guard of its own.
 * Starting and cancelling a job need fresh authentication (the module's `freshAuth.maxAge`);
 * reading does not. Mount it under a path with the app's own policy, e.g. by subclassing:
 *
 * @example
 * @Can('manage', 'Session')
 * @Controller('admin/session-revocations')
 * export class AdminSessionRevocationsController extends SessionRevocationsController {}
 */
@Controller()
export class SessionRevocationsController {
  constructor(private readonly bulk: BulkRevocationService) {}

  /**
   * `{filter, reason, dryRun?}` → 202 `{jobId, matched, effect, queued, replayed}`, or 200
   * `{matched, sample, effect}` for a dry run. `queued: "deferred"` when Redis did not take the
   * job within 2 s (it is stored and queued later). An `Idempotency-Key` header makes retries
   * safe: the same key and body answer the same job (`replayed: true`); the same key with another
   * body is 422 `idempotency_key_reused`.
   */
  @Post()
  @HttpCode(202)
  @RequireFreshAuth()
  async start(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentSession() session: ActiveSession | undefined,
    @Res({ passthrough: true }) response: StatusReply,
  ) {
    let request;
    let key;
    try {
      request = parseRevocationRequest(body);
      key = parseIdempotencyKey(idempotencyKey, 'Idempotency-Key');
    } catch (error) {
      if (error instanceof RevocationFilterError) throw new InvalidRevocationFilterException(error);
      throw error;
    }
    let result;
    try {
      result = await this.bulk.start(request.filter, request.reason, session?.userId ?? null, {
        dryRun: request.dryRun,
        idempotencyKey: key,
      });
    } catch (error) {
      if (error instanceof IdempotencyKeyReusedError)
        throw new IdempotencyKeyReusedException(error);
      throw error;
    }
    if (result.dryRun) {
      response.status(200);
      return {
        dryRun: true,
        matched: result.matched,
        sample: result.sample,
        effect: result.effect,
      };
    }
    return {
      jobId: result.jobId,
      matched: result.matched,
      effect: result.effect,
      queued: result.queued,
      replayed: result.replayed,
    };
  }

  /** The most recent jobs, newest first (`?limit=`, at most 100). */
  @Get()
  async list(@Query('limit') limit?: string) {
    return (await this.bulk.list(limit ? Number(limit) : 20)).map(summary);
  }

  /** `{jobId, state, progress, matched, revoked}` and details; 404 `not_found` when unknown. */
  @Get(':jobId')
  async status(@Param('jobId') jobId: string) {
    const status = await this.bulk.status(jobId);
    if (!status) throw new RevocationJobNotFoundException();
    return summary(status);
  }

  /** Stops the job after its current batch: 202 with its state; 404 `not_found` when unknown. */
  @Post(':jobId/cancel')
  @HttpCode(202)
  @RequireFreshAuth()
  async cancel(
    @Param('jobId') jobId: string,
    @CurrentSession() session: ActiveSession | undefined,
  ) {
    const status = await this.bulk.cancel(jobId, session?.userId ?? null);
    if (!status) throw new RevocationJobNotFoundException();
    return summary(status);
  }
}

function summary(status: NonNullable<Awaited<ReturnType<BulkRevocationService['status']>>>) {
  return {
    jobId: status.jobId,
    state: status.state,
    progress: status.progress,
    matched: status.matched,
    revoked: status.revoked,
    effect: status.effect,
    reason: status.reason,
    actor: status.actor,
    createdAt: status.createdAt,
    finishedAt: status.finishedAt,
  };
}
