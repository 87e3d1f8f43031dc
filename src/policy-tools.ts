// nestjs-session-security/policy-tools: what a team uses to check and review its policy rather
// than to enforce it — the what-if question and trace, policy changes as events, the decision
// log and the permission review. Enforcement (PolicyService, @Can, the guards) is in the main
// entry point; test suites of a policy are under /testing.
export type { PolicyTrace } from './policy/policy-trace.js';
export { parsePolicyQuestion } from './policy/policy-question.js';
export type { PolicyQuestion } from './policy/policy-question.js';
export { PolicyChanges } from './policy-changes/policy-changes.service.js';
export type { PolicyChangeResult } from './policy-changes/policy-changes.service.js';
export { DecisionLog } from './policy/decision-log.service.js';
export type { DecisionLogSink, PolicyDecisionRecord } from './policy/decision-log.js';
export { PermissionReview } from './policy-review/permission-review.service.js';
