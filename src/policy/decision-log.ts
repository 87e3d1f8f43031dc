import { Logger } from '@nestjs/common';

/**
 * One allowed policy decision as the decision log writes it (denials go to the audit chain as
 * `policy.denied`).
 *
 * @example
 * // {"at":1774950000000,"userId":"2","sessionId":"5f0c…","action":"update","subjectType":"Article",
 * //  "subjectId":"1","outcome":"allow","rule":"editor-own","policyVersion":"3","requestId":"req-7"}
 */
export interface PolicyDecisionRecord {
  at: number;
  userId: string | null;
  /** The public session id (never a token). */
  sessionId: string | null;
  action: string;
  subjectType: string;
  /** The `id` of the checked instance, when it has one. */
  subjectId: string | null;
  outcome: 'allow';
  /** The id of the deciding rule (`null` for `@CheckPolicies` handlers). */
  rule: string | null;
  policyVersion: string;
  /** `X-Request-Id` when it is a plain token of up to 128 characters, else the adapter's id. */
  requestId: string | null;
}

/**
 * Where the decision log writes. `write()` is called on the request path: keep it fast, never
 * throw (a sink that throws is logged once per minute, the decision stands).
 *
 * @example
 * const sink: DecisionLogSink = { write: (record) => process.stdout.write(`${JSON.stringify(record)}\n`) };
 */
export interface DecisionLogSink {
  write(record: PolicyDecisionRecord): void;
}

/**
 * The default sink: one JSON line per decision through the Nest logger (context
 * `PolicyDecisions`), so it goes wherever the app's logs go.
 *
 * @example new LoggerDecisionSink().write(record)
 */
export class LoggerDecisionSink implements DecisionLogSink {
  private readonly logger = new Logger('PolicyDecisions');

  write(record: PolicyDecisionRecord): void {
    this.logger.log(JSON.stringify(record));
  }
}

/**
 * `policy.decisionLog` after validation: the share of allowed decisions written, and the sink.
 *
 * @example const config: ResolvedDecisionLogConfig = { rate: 0.1, sink: new LoggerDecisionSink() };
 */
export interface ResolvedDecisionLogConfig {
  /** From 0 (exclusive) to 1: 1 writes every allowed decision, 0.01 about one in a hundred. */
  rate: number;
  sink: DecisionLogSink;
}

/** `policy.decisionLog` as the app writes it. */
export interface DecisionLogOptions {
  /** Share of allowed decisions written (default 1: all). */
  rate?: number;
  /** Where they go (default {@link LoggerDecisionSink}). */
  sink?: DecisionLogSink;
}

const SAFE_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * The request id of a decision: a plain `X-Request-Id` header, else the adapter's own id
 * (Fastify's `request.id`), else `null`.
 *
 * @example requestIdOf({ 'x-request-id': 'req-7' }, undefined) // 'req-7'
 */
export function requestIdOf(headers: Record<string, unknown>, adapterId: unknown): string | null {
  const header = headers['x-request-id'];
  if (typeof header === 'string' && SAFE_REQUEST_ID.test(header)) return header;
  if (typeof adapterId === 'string' && SAFE_REQUEST_ID.test(adapterId)) return adapterId;
  return typeof adapterId === 'number' ? String(adapterId) : null;
}
