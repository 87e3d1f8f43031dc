import { credentialsOf, send, type Answer, type Credentials } from './http-client.js';
import type { AppStack, InstanceName } from './stack.js';
import { FAULT_PASSWORD, LIVE_USER_IDS, POOL_USER_IDS, username } from './users.js';

/** What a request was for, so the counts can tell live traffic from ended-session probes. */
export type RequestKind = 'live' | 'write' | 'login' | 'end' | 'ended' | 'admin';

/** How a session was ended by the traffic (always on one instance, probed on the other). */
export type EndKind = 'logout' | 'revocation' | 'demotion' | 'disable';

/** One request the traffic sent and what came back. */
export interface RequestRecord {
  kind: RequestKind;
  instance: InstanceName;
  status: number;
  failure?: 'timeout' | 'error';
  errorCode?: string;
  sentAt: number;
  doneAt: number;
  /** For `ended` probes: how the session was ended. */
  endKind?: EndKind;
}

/** A session the traffic ended (the ending call answered 2xx at `endedAt`). */
export interface EndedSession {
  credentials: Credentials;
  kind: EndKind;
  endedOn: InstanceName;
  endedAt: number;
}

/** A bulk revocation job created through `POST /admin/session-revocations`. */
export interface CreatedJob {
  jobId: string;
  reason: string;
  matched: number;
}

/** How much traffic to send; pauses are per loop, between its requests. */
export interface TrafficOptions {
  label: string;
  /** Loops reading with live sessions (default 3). */
  readers?: number;
  /** Pause of each loop between two requests (default 40 ms). */
  pauseMs?: number;
  /** Also `PATCH /articles/1` as a live editor (default true). */
  writes?: boolean;
  /** Pause of the ending loop between two endings (default 150 ms). */
  endPauseMs?: number;
}

const END_KINDS: EndKind[] = ['logout', 'revocation', 'demotion', 'disable'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ok = (answer: Answer) => answer.status >= 200 && answer.status < 300;

/**
 * Steady traffic on both instances of a stack: guarded reads (and writes) by live sessions,
 * logins, and sessions ended on one instance (logout, bulk revocation, demotion, disable) whose
 * cookies are then sent again, mostly to the other instance. Every request is recorded.
 */
export class Traffic {
  readonly records: RequestRecord[] = [];
  readonly ended: EndedSession[] = [];
  readonly jobs: CreatedJob[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private live: Credentials[] = [];
  private writer: Credentials | null = null;
  private admin: Credentials | null = null;
  private nextUser = 0;
  private endings = 0;

  constructor(
    private readonly stack: AppStack,
    private readonly options: TrafficOptions,
    userOffset = 0,
  ) {
    this.nextUser = userOffset;
  }

  /** Signs in the live sessions, bob (writes) and alice (admin), then starts the loops. */
  async start(): Promise<void> {
    this.admin = await this.signIn('A', 'alice', 'alice-password');
    this.writer = await this.signIn('B', 'bob', 'bob-password');
    this.live = [];
    for (const [i, id] of LIVE_USER_IDS.entries()) {
      this.live.push(await this.signIn(i % 2 ? 'B' : 'A', username(id), FAULT_PASSWORD));
    }
    this.running = true;
    const readers = this.options.readers ?? 3;
    for (let i = 0; i < readers; i++) this.loops.push(this.readLoop(i));
    if (this.options.writes ?? true) this.loops.push(this.writeLoop());
    this.loops.push(this.endLoop(), this.probeLoop());
  }

  /** The admin's session (alice, signed in on A), for a scenario's own admin calls. */
  get adminCredentials(): Credentials | undefined {
    return this.admin ?? undefined;
  }

  /** Stops the loops and waits until each finished its request in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** The instances the traffic may talk to now (those the scenario has not stopped). */
  private upInstances(): InstanceName[] {
    return (['A', 'B'] as const).filter((name) => this.stack.instances[name].up);
  }

  private async request(
    kind: RequestKind,
    instance: InstanceName,
    method: string,
    path: string,
    options: Parameters<typeof send>[3] = {},
    endKind?: EndKind,
  ): Promise<Answer> {
    const answer = await send(this.stack.instances[instance].port, method, path, options);
    this.records.push({
      kind,
      instance,
      status: answer.status,
      failure: answer.failure,
      errorCode: answer.errorCode,
      sentAt: answer.sentAt,
      doneAt: answer.doneAt,
      endKind,
    });
    return answer;
  }

  private async signIn(instance: InstanceName, name: string, password: string) {
    const body = { username: name, password };
    for (let attempt = 0; ; attempt++) {
      const answer = await this.request('login', instance, 'POST', '/auth/login', { body });
      if (answer.status === 200) return credentialsOf(answer);
      if (attempt >= 20) throw new Error(`login of ${name} on ${instance}: ${answer.status}`);
      await sleep(250);
    }
  }

  private async readLoop(index: number): Promise<void> {
    for (let i = index; this.running; i++) {
      const up = this.upInstances();
      if (up.length > 0 && this.live.length > 0) {
        const credentials = this.live[i % this.live.length];
        const path = i % 3 === 0 ? '/articles' : '/me';
        await this.request('live', up[i % up.length], 'GET', path, { credentials });
      }
      await sleep(this.options.pauseMs ?? 40);
    }
  }

  private async writeLoop(): Promise<void> {
    for (let i = 0; this.running; i++) {
      const up = this.upInstances();
      if (up.length > 0 && this.writer) {
        const body = { title: `Rotating tokens without tears (${i})` };
        const credentials = this.writer;
        await this.request('write', up[i % up.length], 'PATCH', '/articles/1', {
          credentials,
          body,
        });
      }
      await sleep((this.options.pauseMs ?? 40) * 4);
    }
  }

  /** Signs a fresh user in on one instance, has both instances serve it, then ends it there. */
  private async endLoop(): Promise<void> {
    while (this.running) {
      const up = this.upInstances();
      if (up.length > 0) await this.endOne(up[this.endings % up.length], up);
      this.endings += 1;
      await sleep(this.options.endPauseMs ?? 150);
    }
  }

  private async endOne(on: InstanceName, up: InstanceName[]): Promise<void> {
    const userId = POOL_USER_IDS[this.nextUser++ % POOL_USER_IDS.length];
    const kind = END_KINDS[this.endings % END_KINDS.length];
    const login = await this.request('login', on, 'POST', '/auth/login', {
      body: { username: username(userId), password: FAULT_PASSWORD },
    });
    if (login.status !== 200) return;
    const credentials = credentialsOf(login);
    for (const instance of up) await this.request('live', instance, 'GET', '/me', { credentials });
    const admin = this.admin ?? undefined;
    let answer: Answer;
    if (kind === 'logout') {
      answer = await this.request('end', on, 'POST', '/auth/logout', { credentials });
    } else if (kind === 'revocation') {
      const reason = `faults ${this.options.label} ${this.endings}`;
      answer = await this.request('admin', on, 'POST', '/admin/session-revocations', {
        credentials: admin,
        body: { filter: { userIds: [String(userId)] }, reason },
      });
      if (ok(answer))
        this.jobs.push({ jobId: answer.body.jobId, reason, matched: answer.body.matched });
    } else if (kind === 'demotion') {
      answer = await this.request('admin', on, 'PUT', `/admin/users/${userId}/roles`, {
        credentials: admin,
        body: { roles: ['viewer'] },
      });
    } else {
      answer = await this.request('admin', on, 'POST', `/admin/users/${userId}/disable`, {
        credentials: admin,
      });
    }
    if (ok(answer)) this.ended.push({ credentials, kind, endedOn: on, endedAt: answer.doneAt });
  }

  /** Sends the cookies of ended sessions again: to the other instance, and every third to both. */
  private async probeLoop(): Promise<void> {
    for (let i = 0; this.running; i++) {
      const recent = this.ended.slice(-24);
      const session = recent[i % Math.max(1, recent.length)];
      const up = this.upInstances();
      if (session && up.length > 0) {
        const other: InstanceName = session.endedOn === 'A' ? 'B' : 'A';
        const target = up.includes(other) && i % 3 !== 0 ? other : up[i % up.length];
        const { credentials } = session;
        await this.request('ended', target, 'GET', '/me', { credentials }, session.kind);
      }
      await sleep(this.options.pauseMs ?? 40);
    }
  }
}
