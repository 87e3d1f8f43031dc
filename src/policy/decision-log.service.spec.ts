import type { PolicyDecisionRecord } from './decision-log.js';
import { requestIdOf } from './decision-log.js';
import { DecisionLog } from './decision-log.service.js';
import { createPolicyConfig, policySection } from './policy-config.js';

const record = (rule: string | null, at = 1): PolicyDecisionRecord => ({
  at,
  userId: '1',
  sessionId: null,
  action: 'read',
  subjectType: 'Article',
  subjectId: null,
  outcome: 'allow',
  rule,
  policyVersion: '1',
  requestId: null,
});

describe('DecisionLog', () => {
  it('is off by default: writes nothing and tracks no rule use', async () => {
    const log = new DecisionLog(createPolicyConfig(undefined));
    expect(log.enabled).toBe(false);
    log.allowed(record('r'));
    expect(await log.lastUsed()).toBeNull();
  });

  it('writes every decision by default, and a sampled share with a rate, tracking every use', async () => {
    const written: PolicyDecisionRecord[] = [];
    const sink = { write: (r: PolicyDecisionRecord) => void written.push(r) };
    const full = new DecisionLog(createPolicyConfig({ decisionLog: { sink } }));
    for (let i = 0; i < 4; i++) full.allowed(record('r', i));
    expect(written).toHaveLength(4);

    written.length = 0;
    const sampled = new DecisionLog(createPolicyConfig({ decisionLog: { sink, rate: 0.25 } }));
    const draws = [0.1, 0.5, 0.3, 0.2];
    sampled.random = () => draws.shift()!;
    ['a', 'b', 'c', 'd'].forEach((rule, i) => sampled.allowed(record(rule, 10 + i)));
    expect(written.map((r) => r.rule)).toEqual(['a', 'd']);
    expect(await sampled.lastUsed()).toEqual(
      new Map([
        ['a', 10],
        ['b', 11],
        ['c', 12],
        ['d', 13],
      ]),
    );
    await sampled.onApplicationShutdown();
  });

  it('never lets a failing sink fail the decision', () => {
    const log = new DecisionLog(
      createPolicyConfig({
        decisionLog: {
          sink: {
            write: () => {
              throw new Error('disk full');
            },
          },
        },
      }),
    );
    expect(() => log.allowed(record('r'))).not.toThrow();
  });

  it('refuses a rate outside (0, 1] and unknown keys in the options', () => {
    const issues = (decisionLog: unknown) =>
      policySection.safeParse({ decisionLog }).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ rate: 0 })).toEqual([
      'must be more than 0 (leave decisionLog out to turn it off)',
    ]);
    expect(issues({ rate: 2 })).toEqual(['must be at most 1 (every decision)']);
    expect(issues({ rate: 0.5 })).toEqual([]);
    expect(issues({ sample: 1 }).length).toBe(1);
  });
});

describe('requestIdOf', () => {
  it('takes a plain X-Request-Id, else the adapter id, and never an unsafe value', () => {
    expect(requestIdOf({ 'x-request-id': 'req-1' }, 'x')).toBe('req-1');
    expect(requestIdOf({ 'x-request-id': 'a b\n' }, 'req-9')).toBe('req-9');
    expect(requestIdOf({}, 7)).toBe('7');
    expect(requestIdOf({ 'x-request-id': 'x'.repeat(129) }, undefined)).toBeNull();
  });
});
