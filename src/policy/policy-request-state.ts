import type { PolicyAbility } from './policy.types.js';

declare module '../session/request-state.js' {
  interface SessionRequestState {
    /** The ability the policy guard built for this call; `@CurrentAbility()` reads it. */
    ability?: PolicyAbility;
    /** The loaded subject instance the guard checked (`@Can(…, { load })`), tagged with its type. */
    policySubject?: unknown;
  }
}
