/**
 * How far back the permission review looks, and who counts as an admin.
 *
 * @example const options: PermissionReviewOptions = { unusedDays: 30, recentDays: 14 };
 */
export interface PermissionReviewOptions {
  /** A grant not used for this many days is listed as unused (default 90). */
  unusedDays?: number;
  /** Role changes of the last this many days are listed (default 30). */
  recentDays?: number;
  /** An admin session authenticated longer ago than this many hours is listed (default 24). */
  adminFreshHours?: number;
  /** Roles that count as admin (default: every role with a `manage` rule on `all`). */
  adminRoles?: string[];
  /** Who asks, for the audit log. */
  actor?: string | null;
  /** The output format asked for, for the audit log (default `json`). */
  format?: 'json' | 'csv';
}

/** One rule of one role, as the review lists it. */
export interface ReviewedRule {
  role: string;
  ruleId: string;
  effect: 'allow' | 'forbid';
  actions: string[];
  subjects: string[];
  /** The conditions on the resource as JSON, or `null`. */
  conditions: string | null;
  /** The `when` block in words (as `explain()` words it), or `null`. */
  when: string | null;
  /** The whole rule in one sentence. */
  inWords: string;
}

/** What the permission review reports (JSON; `toCsv` flattens it). */
export interface PermissionReviewReport {
  generatedAt: string;
  policyVersion: string;
  policyOrigin: string;
  settings: Required<Omit<PermissionReviewOptions, 'actor' | 'format'>>;
  /** Per role, every rule: what it may do on which subjects, under which conditions and when. */
  roles: ReviewedRule[];
  /** Users with a live session, their roles (as the session holds them) and how many sessions. */
  users: Array<{ userId: string; roles: string[]; liveSessions: number }>;
  /** Permission changes of the last `recentDays` (`permissions.changed` in the audit log). */
  roleChanges: Array<{ userId: string; at: string; reason: string | null; actor: string | null }>;
  /**
   * Allow rules that decided nothing for `unusedDays` (per the decision log's rule use), or
   * `null` when the decision log is off and rule use is unknown.
   */
  unusedGrants: Array<{
    role: string;
    ruleId: string;
    inWords: string;
    lastUsedAt: string | null;
  }> | null;
  /** Live sessions authenticated before their user's latest permission change. */
  sessionsFromBeforeChange: Array<{
    sessionId: string;
    userId: string;
    roles: string[];
    authenticatedAt: string;
    changedAt: string;
    reauthRequired: boolean;
  }>;
  /** Live sessions of admin roles authenticated longer ago than `adminFreshHours`. */
  adminsWithoutFreshAuth: Array<{
    sessionId: string;
    userId: string;
    roles: string[];
    authLevel: string;
    authenticatedAt: string;
  }>;
  /** Sessions were read up to a cap; `true` when there were more. */
  truncated: boolean;
}
