import type { RevocationScope } from '../../session/revocation-marker.entity.js';
import type { RevocationFilter } from './revocation-filter.js';

/** At most this many `userIds` are turned into user markers; more are left to the job. */
export const MAX_USER_MARKERS = 100;

/**
 * How a filter takes effect: `immediate` when revocation markers express it exactly (they are
 * written before the API answers), `by_job` when the job must apply it row by row.
 *
 * @example
 * const effect: RevocationEffect = planRevocation({ all: true }).effect; // 'immediate'
 */
export type RevocationEffect = 'immediate' | 'by_job';

/**
 * The markers that make a filter effective at once, if markers can express it exactly.
 *
 * @example
 * planRevocation({ tenantId: 'acme' }); // { effect: 'immediate', markers: [{ scope: 'tenant', value: 'acme' }] }
 */
export interface RevocationPlan {
  effect: RevocationEffect;
  markers: Array<{ scope: RevocationScope; value: string }>;
}

/**
 * Decides whether markers can express a filter exactly: `all` alone, a few `userIds` alone, one
 * role alone, or a tenant alone. Anything else (dates, networks, user agents, combinations) is
 * applied by the job, session by session.
 *
 * @example
 * planRevocation({ roles: ['editor'], ip: '10.0.0.0/8' }); // { effect: 'by_job', markers: [] }
 */
export function planRevocation(filter: RevocationFilter): RevocationPlan {
  const keys = Object.keys(filter) as Array<keyof RevocationFilter>;
  if (keys.length === 1) {
    const [key] = keys;
    if (key === 'all') return immediate([{ scope: 'all', value: '*' }]);
    if (key === 'tenantId') return immediate([{ scope: 'tenant', value: filter.tenantId! }]);
    if (key === 'roles' && filter.roles!.length === 1) {
      return immediate([{ scope: 'role', value: filter.roles![0] }]);
    }
    if (key === 'userIds' && new Set(filter.userIds).size <= MAX_USER_MARKERS) {
      return immediate([...new Set(filter.userIds)].map((value) => ({ scope: 'user', value })));
    }
  }
  return { effect: 'by_job', markers: [] };
}

function immediate(markers: RevocationPlan['markers']): RevocationPlan {
  return { effect: 'immediate', markers };
}
