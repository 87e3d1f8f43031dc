import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import type { RedisClient } from '../common/redis-clients.js';
import { RESOLVED_OPTIONS, SESSION_SECURITY_REDIS } from '../common/tokens.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import type { PolicyOptions, ResolvedPolicyConfig } from '../policy/policy-config.js';
import { diffPolicies, roleSetShrinks, type PolicyDiff } from '../policy/policy-diff.js';
import { PolicyService } from '../policy/policy.service.js';
import { canonicalJson } from '../policy/when-compiler.js';
import { RevocationService } from '../revocation/revocation.service.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionRecords } from '../session/session-records.js';

/** How long an instance's claim on recording one change (from → to version) holds. */
const CLAIM_TTL_MS = 10 * 60_000;

/** Who loads a new policy and why; recorded in the audit log. */
export interface PolicyChangeContext {
  actor?: string | null;
  reason?: string;
}

/**
 * What loading a policy did on this instance.
 *
 * @example
 * // { changed: true, version: '4', diff: { …, revoked: [{ role: 'editor', id: 'editor-own', … }] },
 * //   recorded: true, reauthUsers: ['2'] }
 */
export interface PolicyChangeResult {
  /** Whether the policy in force changed on this instance. */
  changed: boolean;
  /** The version in force now. */
  version: string;
  diff: PolicyDiff | null;
  /**
   * Whether this instance audited the change and forced the re-authentications; `false` when
   * another instance already did for the same change (each instance loads it, one records it).
   */
  recorded: boolean;
  /** Users with a live session who lost permissions and must re-authenticate (when recorded). */
  reauthUsers: string[];
}

/**
 * Policy changes as events: a new policy version (the file read again, or a document) is
 * validated, put in force on this instance, audited as `policy.changed` with what it grants and
 * revokes, and — unless `policy.reauthOnShrink: false` — every user with a live session whose
 * roles may now do less must re-authenticate, on every instance, through
 * `RevocationService.permissionsChanged` (reason `policy_changed`). Every instance loads the new
 * policy; the first to load a given change (previous → new document, claimed in Redis for ten minutes)
 * records it.
 *
 * @example
 * const result = await policyChanges.reload({ actor: admin.userId });
 * // result.diff.revoked — the grants that are gone; result.reauthUsers — who must sign in again
 */
@Injectable()
export class PolicyChanges {
  private readonly logger = new Logger('SessionSecurityPolicy');

  constructor(
    private readonly policy: PolicyService,
    private readonly revocations: RevocationService,
    private readonly records: SessionRecords,
    private readonly events: SessionEvents,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Optional() @Inject(SESSION_SECURITY_REDIS) private readonly redis: RedisClient | null = null,
  ) {}

  /**
   * Reads the policy file again and applies it as {@link load} does.
   *
   * @throws PolicyValidationError when the file is not valid (the policy in force stays)
   * @throws RangeError when the policy does not come from a file
   */
  reload(by: PolicyChangeContext = {}): Promise<PolicyChangeResult> {
    const file = this.policy.current.file;
    if (!file) throw new RangeError('policy: the policy in force does not come from a file');
    return this.load({ file }, by);
  }

  /**
   * Validates and applies a new policy (`{ document }` or `{ file }`).
   *
   * @throws PolicyValidationError naming each bad entry (the policy in force stays)
   */
  async load(source: PolicyOptions, by: PolicyChangeContext = {}): Promise<PolicyChangeResult> {
    const swap = this.policy.load(source);
    if (!swap) return this.unchanged();
    const { previous, next } = swap;
    const diff = diffPolicies(previous.document, next.document, previous.version, next.version);
    const claim = await this.claim(previous, next);
    if (!claim.won) {
      return { changed: true, version: next.version, diff, recorded: false, reauthUsers: [] };
    }
    try {
      const reauth = next.reauthOnShrink ?? true;
      const reauthUsers = reauth ? await this.losingUsers(previous, next) : [];
      await this.events.emit({
        type: 'policy.changed',
        actor: by.actor ?? null,
        outcome: 'success',
        resource: next.origin,
        details: { ...diff, reason: by.reason ?? null, reauthOnShrink: reauth, reauthUsers },
      });
      for (const userId of reauthUsers) {
        await this.revocations.permissionsChanged(userId, {
          reason: 'policy_changed',
          actor: by.actor ?? null,
        });
      }
      return { changed: true, version: next.version, diff, recorded: true, reauthUsers };
    } catch (error) {
      // Not recorded (the database failed): the previous policy goes back in force here and the
      // claim is released, so the next load of the change (a retry, the file watcher's next
      // tick, another instance) records it instead of finding it already in force.
      this.policy.restore(previous);
      await claim.release();
      throw error;
    }
  }

  /** Users with a live session whose role set may do less under `next`. */
  private async losingUsers(
    previous: ResolvedPolicyConfig,
    next: ResolvedPolicyConfig,
  ): Promise<string[]> {
    const verdicts = new Map<string, boolean>();
    const users = new Set<string>();
    for (const { userId, roles } of await this.records.liveRoles(this.clock.now())) {
      const key = JSON.stringify([...roles].sort());
      let shrinks = verdicts.get(key);
      if (shrinks === undefined) {
        shrinks = roleSetShrinks(previous.document, next.document, roles);
        verdicts.set(key, shrinks);
      }
      if (shrinks) users.add(userId);
    }
    return [...users].sort();
  }

  /**
   * Whether this instance is the first to record the change from `previous` to `next`, and how
   * to give that up when recording it failed.
   */
  private async claim(
    previous: ResolvedPolicyConfig,
    next: ResolvedPolicyConfig,
  ): Promise<{ won: boolean; release(): Promise<void> }> {
    const redis = this.redis;
    if (!redis) return { won: true, release: async () => undefined };
    const change = createHash('sha256')
      .update(`${canonicalJson(previous.document)}\n${canonicalJson(next.document)}`)
      .digest('hex')
      .slice(0, 24);
    const key = `${this.options.redisKeyPrefix}policy-change:${change}`;
    const release = async () => {
      await redis.del(key).catch((error: Error) => {
        this.logger.warn(`could not release the policy change claim: ${error.message}`);
      });
    };
    try {
      const set = await redis.set(key, String(this.clock.now()), 'PX', CLAIM_TTL_MS, 'NX');
      return { won: set === 'OK', release };
    } catch (error) {
      // Recording twice (a second audit event, users asked twice) beats not recording at all.
      this.logger.warn(
        `policy change claim failed, recording it here: ${(error as Error).message}`,
      );
      return { won: true, release };
    }
  }

  private unchanged(): PolicyChangeResult {
    return {
      changed: false,
      version: this.policy.version,
      diff: null,
      recorded: false,
      reauthUsers: [],
    };
  }
}
