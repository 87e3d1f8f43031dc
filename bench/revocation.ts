import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { settingsFromEnv } from './bench-app.js';
import { median } from './load.js';
import { measurePermissionChange, type PermissionChangeResult } from './permission-change.js';
import { Prober } from './probe.js';
import { startRevocationInstance, type RevocationInstance } from './revocation-instance.js';
import { ServerProcess } from './server-process.js';
import { connectSchema, insertSessions, sampleRows, tokenOf } from './session-rows.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface RevocationPlan {
  /** Sessions revoked at once (1,000,000; fewer in quick mode). */
  sessions: number;
  /** Sessions probed on the second instance. */
  sample: number;
  /** Permission changes timed. */
  permissionSamples: number;
  /** Sessions of the second, notifying job (one notification per user, through a webhook too). */
  notifiedSessions: number;
  /** Sessions of the third job: one notification per session, for comparison. */
  perSessionSessions: number;
}

/** Bulk revocation of `sessions` rows: effect on a second instance, and the bookkeeping. */
export interface BulkRevocationResult {
  sessions: number;
  /** `INSERT … SELECT generate_series` of the rows, once per phase (ms). */
  generateMs: number[];
  /** `BulkRevocationService.start({ all: true })`: call to return (ms), counting included. */
  serviceCallMs: number;
  /** The marker part of that call (`revokeByMarker`: marker row and Redis epoch), ms. */
  markerWriteMs: number;
  refusal: {
    sample: number;
    /**
     * The sampled sessions' requests were all sent at once right after `start()` returned; the
     * last left this many ms after it. A refused request proves its session was refused by then.
     */
    lastSentMs: number;
    /** Their answers, ms after `start()` returned (each waits for its denial's audit record). */
    firstMs: number;
    medianMs: number;
    lastMs: number;
    /** Whether every sampled session was refused with 401 `session_revoked`. */
    allRefused: boolean;
    codes: string[];
  };
  /** Rows covered by the marker the second instance reads from Redis (`createdAt ≤ notBefore`). */
  markerCovers: { covered: number; total: number };
  job: { ms: number; revoked: number; rowsPerSecond: number; batchSize: number; state: string };
  /** One `UPDATE` of the same rows (same predicate as the job), on a fresh load of them. */
  plainUpdate: { ms: number; rows: number; rowsPerSecond: number };
  /** Job rows/s divided by the plain UPDATE's rows/s. */
  jobVsPlainUpdate: number;
}

/** Delivery of the notifying job's notifications through one channel. */
export interface ChannelDelivery {
  channel: string;
  delivered: number;
  /** From the worker being ready to the channel's last delivery (ms). */
  ms: number;
  perSecond: number;
}

/**
 * The same job with `notify` on: rows revoked and notifications created by the time the job
 * completes (end to end), then each channel's delivery throughput.
 */
export interface NotifyingJobResult {
  sessions: number;
  notifyPer: 'user' | 'session';
  ms: number;
  revoked: number;
  rowsPerSecond: number;
  notifications: number;
  /** Per channel (in-app is recorded with the row; the webhook gets one signed request per 100). */
  channels: ChannelDelivery[];
  webhook: { requests: number; events: number; badSignatures: number } | null;
}

export interface RevocationResults {
  bulk: BulkRevocationResult;
  notifying: NotifyingJobResult;
  /** One notification per session, on fewer sessions (null when not measured). */
  perSession: NotifyingJobResult | null;
  permissionChange: PermissionChangeResult;
}

const JOB_DEADLINE_MS = 15 * 60_000;
const int = (value: number) => value.toLocaleString('en-US');
const round = (value: number) => Math.round(value * 100) / 100;

/**
 * Starts the revoking instance in this process and a (b) server as the second instance, both on
 * the run's schema and Redis prefix, then times permission changes and the bulk revocation.
 */
export async function measureRevocation(
  plan: RevocationPlan,
  env: NodeJS.ProcessEnv,
): Promise<RevocationResults> {
  const client = await connectSchema(env);
  let instance: RevocationInstance | null = null;
  let server: ServerProcess | null = null;
  let worker = null as ServerProcess | null;
  let prober: Prober | null = null;
  try {
    instance = await startRevocationInstance(settingsFromEnv(env));
    server = await ServerProcess.start('session', env);
    prober = new Prober(server.url, plan.sample);
    console.log(`permission change: ${plan.permissionSamples} samples`);
    const permissionChange = await measurePermissionChange(
      instance,
      server.url,
      prober,
      plan.permissionSamples,
    );
    const startWorker = async (notify: boolean, extra: NodeJS.ProcessEnv = {}) => {
      const workerEnv = { ...env, BENCH_REVOCATION_NOTIFY: notify ? '1' : '0', ...extra };
      worker = await ServerProcess.start('revocation-worker', workerEnv);
      return Date.now();
    };
    const bulk = await measureBulk(plan, env, client, instance, prober, () => startWorker(false));
    await worker?.stop();
    worker = null;
    const notifyingJob = async (sessions: number, per: 'user' | 'session') => {
      console.log(`bulk revocation with notifications per ${per}: ${int(sessions)} sessions`);
      const receiver = await WebhookReceiver.start(env.BENCH_SECRET!);
      try {
        const extra = {
          BENCH_REVOCATION_NOTIFY_PER: per,
          BENCH_REVOCATION_WEBHOOK_URL: receiver.url,
        };
        const result = await measureNotifyingJob(sessions, per, client, instance!, receiver, () =>
          startWorker(true, extra),
        );
        await worker?.stop();
        worker = null;
        return result;
      } finally {
        await receiver.stop();
      }
    };
    const notifying = await notifyingJob(plan.notifiedSessions, 'user');
    const perSession =
      plan.perSessionSessions > 0 ? await notifyingJob(plan.perSessionSessions, 'session') : null;
    return { bulk, notifying, perSession, permissionChange };
  } finally {
    prober?.close();
    await server?.stop();
    await worker?.stop();
    await instance?.close();
    await client.end();
  }
}

async function measureBulk(
  plan: RevocationPlan,
  env: NodeJS.ProcessEnv,
  client: pg.Client,
  instance: RevocationInstance,
  prober: Prober,
  startWorker: () => Promise<number>,
): Promise<BulkRevocationResult> {
  const seed = randomBytes(8).toString('hex');
  const generateMs: number[] = [];
  const load = async () => {
    await client.query('TRUNCATE ss_session');
    const started = performance.now();
    await insertSessions(client, { count: plan.sessions, seed, now: Date.now() });
    generateMs.push(Math.round(performance.now() - started));
    await client.query('VACUUM ANALYZE ss_session');
    await client.query('CHECKPOINT');
  };

  console.log(`bulk revocation: ${plan.sessions.toLocaleString('en-US')} sessions`);
  await load();
  const now = Date.now();
  let started = performance.now();
  const updated = await client.query(
    `UPDATE ss_session SET "revokedAt" = $1, "revokedReason" = 'bench'
     WHERE "revokedAt" IS NULL AND "createdAt" <= $1
       AND "idleExpiresAt" > $1 AND "absoluteExpiresAt" > $1`,
    [now],
  );
  const plainMs = performance.now() - started;
  const plainRows = updated.rowCount ?? 0;
  console.log(`  plain UPDATE: ${plainRows} rows in ${Math.round(plainMs)} ms`);

  await load();
  const rows = sampleRows(plan.sessions, plan.sample);
  const cookies = rows.map((row) => `__Host-t=${tokenOf(seed, row)}`);
  for (let pass = 0; pass < 2; pass++) {
    const answers = await Promise.all(cookies.map((cookie) => prober.get('/bench/ping', cookie)));
    const bad = answers.find((a) => a.status !== 200);
    if (bad)
      throw new Error(`a generated session answered ${bad.status} ${bad.error} before revocation`);
  }

  let markerWriteMs = 0;
  const revocations = instance.revocations;
  const revokeByMarker = revocations.revokeByMarker.bind(revocations);
  revocations.revokeByMarker = async (...args) => {
    const at = performance.now();
    try {
      return await revokeByMarker(...args);
    } finally {
      markerWriteMs += performance.now() - at;
    }
  };
  started = performance.now();
  const result = await instance.bulk.start({ all: true }, 'bench', 'bench');
  const returnedAt = performance.now();
  revocations.revokeByMarker = revokeByMarker;
  if (result.dryRun) throw new Error('unexpected dry run');
  const answers = await Promise.all(cookies.map((cookie) => prober.get('/bench/ping', cookie)));
  const after = answers.map((a) => a.receivedAt - returnedAt);
  const codes = [...new Set(answers.map((a) => `${a.status} ${a.error}`))];
  const markerCovers = await coverage(env, client);

  // The worker starts only now, so the job is timed on its own (as the UPDATE was), not while
  // the second instance writes the audit records of the probes' denials.
  const workerReadyAt = await startWorker();
  const job = await waitForJob(instance, result.jobId, workerReadyAt);
  const left = await client.query<{ n: string }>(
    'SELECT count(*) AS n FROM ss_session WHERE "revokedAt" IS NULL',
  );
  if (Number(left.rows[0].n) !== 0) throw new Error(`${left.rows[0].n} rows left unrevoked`);
  const plainRowsPerSecond = plainRows / (plainMs / 1000);
  return {
    sessions: plan.sessions,
    generateMs,
    serviceCallMs: round(returnedAt - started),
    markerWriteMs: round(markerWriteMs),
    refusal: {
      sample: rows.length,
      lastSentMs: round(Math.max(...answers.map((a) => a.sentAt - returnedAt))),
      firstMs: round(Math.min(...after)),
      medianMs: round(median(after)),
      lastMs: round(Math.max(...after)),
      allRefused: answers.every((a) => a.status === 401 && a.error === 'session_revoked'),
      codes,
    },
    markerCovers,
    job,
    plainUpdate: {
      ms: Math.round(plainMs),
      rows: plainRows,
      rowsPerSecond: Math.round(plainRowsPerSecond),
    },
    jobVsPlainUpdate: round(job.rowsPerSecond / plainRowsPerSecond),
  };
}

/** How many rows the `all` epoch the second instance reads from Redis covers. */
async function coverage(env: NodeJS.ProcessEnv, client: pg.Client) {
  const redis = new Redis(env.BENCH_REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let notBefore: number;
  try {
    await redis.connect();
    notBefore = Number(await redis.hget(`${env.BENCH_REDIS_PREFIX}{ss}:epochs`, 'rev:all:*'));
  } finally {
    redis.disconnect();
  }
  const counts = await client.query<{ covered: string; total: string }>(
    `SELECT count(*) FILTER (WHERE "createdAt" <= $1) AS covered, count(*) AS total
     FROM ss_session`,
    [notBefore],
  );
  return { covered: Number(counts.rows[0].covered), total: Number(counts.rows[0].total) };
}

async function waitForJob(
  instance: RevocationInstance,
  jobId: string,
  workerReadyAt: number,
): Promise<BulkRevocationResult['job']> {
  const deadline = performance.now() + JOB_DEADLINE_MS;
  for (;;) {
    const status = await instance.bulk.status(jobId);
    if (!status) throw new Error(`job ${jobId} vanished`);
    if (['completed', 'failed', 'cancelled'].includes(status.state)) {
      if (status.state !== 'completed') throw new Error(`job ${jobId} ${status.state}`);
      const ms = Date.parse(status.finishedAt!) - workerReadyAt;
      return {
        ms,
        revoked: status.revoked,
        rowsPerSecond: Math.round(status.revoked / (ms / 1000)),
        batchSize: 5_000,
        state: status.state,
      };
    }
    if (performance.now() > deadline) throw new Error(`job ${jobId} still ${status.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The real job with notifications on: fresh rows, `{ all: true }`, timed from the notifying
 * worker being ready to the job finishing (its rows revoked and its notifications created), then
 * until every channel has delivered them.
 */
async function measureNotifyingJob(
  sessions: number,
  notifyPer: 'user' | 'session',
  client: pg.Client,
  instance: RevocationInstance,
  receiver: WebhookReceiver,
  startWorker: () => Promise<number>,
): Promise<NotifyingJobResult> {
  await client.query('TRUNCATE ss_session');
  await client.query('TRUNCATE ss_notification_delivery, ss_notification');
  const seed = randomBytes(8).toString('hex');
  await insertSessions(client, { count: sessions, seed, now: Date.now() });
  await client.query('VACUUM ANALYZE ss_session');
  await client.query('CHECKPOINT');
  const result = await instance.bulk.start({ all: true }, `bench notifying ${notifyPer}`, 'bench');
  if (result.dryRun) throw new Error('unexpected dry run');
  const readyAt = await startWorker();
  const job = await waitForJob(instance, result.jobId, readyAt);
  const [{ n }] = (await client.query<{ n: string }>('SELECT count(*) AS n FROM ss_notification'))
    .rows;
  const notifications = Number(n);
  const deadline = performance.now() + JOB_DEADLINE_MS;
  for (;;) {
    const open = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ss_notification_delivery WHERE status <> 'delivered'`,
    );
    if (Number(open.rows[0].n) === 0) break;
    if (performance.now() > deadline) throw new Error(`${open.rows[0].n} deliveries still open`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const perChannel = await client.query<{ channel: string; delivered: string; last: string }>(
    `SELECT channel, count(*) AS delivered, max("deliveredAt") AS last
       FROM ss_notification_delivery GROUP BY channel ORDER BY channel`,
  );
  const channels = perChannel.rows.map((row) => {
    const ms = Math.max(1, Number(row.last) - readyAt);
    const delivered = Number(row.delivered);
    return { channel: row.channel, delivered, ms, perSecond: Math.round(delivered / (ms / 1000)) };
  });
  return {
    sessions,
    notifyPer,
    ms: job.ms,
    revoked: job.revoked,
    rowsPerSecond: job.rowsPerSecond,
    notifications,
    channels,
    webhook: {
      requests: receiver.requests,
      events: receiver.events,
      badSignatures: receiver.badSignatures,
    },
  };
}
