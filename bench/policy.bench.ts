import { createMongoAbility, subject } from '@casl/ability';
import { pathToFileURL } from 'node:url';
import type { DecisionLogSink } from '../src/policy/decision-log.js';
import { DecisionLog } from '../src/policy/decision-log.service.js';
import { createPolicyConfig } from '../src/policy/policy-config.js';
import { PolicyService } from '../src/policy/policy.service.js';
import type {
  PolicyContext,
  PolicyDocument,
  PolicyRule,
  PolicyUser,
} from '../src/policy/policy.types.js';

/** One measured scenario: median and 95th percentile time per operation, in microseconds. */
export interface PolicyBenchRow {
  scenario: string;
  rules: number;
  medianUs: number;
  p95Us: number;
  /** Operations per second of one core at the median time. */
  perSecond: number;
}

/** What {@link runPolicyBench} returns. */
export interface PolicyBenchResult {
  rows: PolicyBenchRow[];
  /** Decisions/s with the decision log on (every decision, and 1 %) over decisions/s with it off. */
  decisionLogRatio: { full: number; sampled: number };
  /** The median of a full decision at 200 rules stays within 5 µs. */
  withinTarget: boolean;
  targetUs: number;
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'];
const ROLES = ['editor', 'reviewer', 'reporter', 'auditor'];
const NOW = Date.parse('2026-03-27T11:00:00Z');

/**
 * A policy whose four roles hold `size` rules in total: an owner-only update rule, and a mix of
 * plain, conditional, inverted and `when` rules (8 distinct windows, a network, a session age)
 * over 40 subject types.
 */
function documentOf(size: number): PolicyDocument {
  const roles: Record<string, PolicyRule[]> = Object.fromEntries(ROLES.map((role) => [role, []]));
  roles.editor.push({
    action: ['read', 'update'],
    subject: 'Article',
    conditions: { authorId: '${user.id}' },
  });
  for (let index = 1; index < size; index++) {
    const rule: PolicyRule = {
      action: ['read', 'update', 'publish'][index % 3],
      subject: `S${index % 40}`,
    };
    if (index % 4 === 0) rule.conditions = { status: { $in: ['draft', 'review'] } };
    if (index % 5 === 0) {
      rule.when = {
        hours: { days: 'Mon-Fri', from: `0${index % 8}:00`, to: '18:00', tz: ZONES[index % 4] },
      };
    }
    if (index % 7 === 0) rule.when = { network: 'internal' };
    if (index % 11 === 0) rule.when = { maxSessionAge: '8h' };
    if (index % 13 === 0) Object.assign(rule, { inverted: true, reason: 'blocked' });
    roles[ROLES[index % ROLES.length]].push(rule);
  }
  return { version: `bench-${size}`, networks: { internal: ['10.0.0.0/8', '::1/128'] }, roles };
}

function measure(
  operation: () => unknown,
  batches = 300,
  perBatch = 500,
): Omit<PolicyBenchRow, 'scenario' | 'rules' | 'perSecond'> {
  for (let i = 0; i < perBatch * 20; i++) operation();
  const samples: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) operation();
    samples.push(Number(process.hrtime.bigint() - start) / perBatch / 1000);
  }
  samples.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    medianUs: round(samples[Math.floor(samples.length / 2)]),
    p95Us: round(samples[Math.floor(samples.length * 0.95)]),
  };
}

/**
 * Measures a full policy decision (context → `when` outcomes → cached ability → check on an
 * instance) at 20 and 200 rules, and CASL's bare `can` on a prebuilt ability as the reference.
 *
 * @example const { rows, withinTarget } = await runPolicyBench();
 */
export async function runPolicyBench(): Promise<PolicyBenchResult> {
  const user: PolicyUser = { id: '2', roles: ROLES };
  const own = subject('Article', { id: 1, authorId: '2' });
  let sink = 0;
  const scenarios: Array<{ scenario: string; rules: number; operation: () => unknown }> = [];
  for (const size of [20, 200]) {
    const policy = new PolicyService(createPolicyConfig({ document: documentOf(size) }));
    let tick = 0;
    scenarios.push({
      scenario: 'full decision',
      rules: size,
      operation: () => {
        const context: PolicyContext = { ...baseContext(), now: NOW + (tick++ % 1000) * 1000 };
        if (policy.evaluate(user, context).check('update', own).allowed) sink++;
      },
    });
    if (size === 200) {
      for (const [scenario, rate] of [
        ['decision + log (all)', 1],
        ['decision + log (1 %)', 0.01],
      ] as const) {
        const log = new DecisionLog(
          createPolicyConfig({ document: documentOf(size), decisionLog: { rate, sink: jsonSink } }),
        );
        scenarios.push({
          scenario,
          rules: size,
          operation: () => {
            const context: PolicyContext = { ...baseContext(), now: NOW + (tick++ % 1000) * 1000 };
            const decision = policy.evaluate(user, context).check('update', own);
            if (!decision.allowed) return;
            sink++;
            log.allowed({
              at: context.now,
              userId: String(user.id),
              sessionId: 'c2a5b1f8-6d0e-4c61-9d8b-0d1f3f0a9e11',
              action: 'update',
              subjectType: 'Article',
              subjectId: '1',
              outcome: 'allow',
              rule: decision.decidingRule?.id ?? null,
              policyVersion: policy.version,
              requestId: 'req-1',
            });
          },
        });
      }
    }
    const ability = createMongoAbility(policy.abilityFor(user, baseContext()).rules);
    scenarios.push({
      scenario: 'CASL can (prebuilt)',
      rules: size,
      operation: () => ability.can('update', own) && sink++,
    });
  }
  for (const { operation } of scenarios) measure(operation, 20);
  const rows = scenarios.map(({ scenario, rules, operation }) => {
    const timing = measure(operation);
    return { scenario, rules, ...timing, perSecond: Math.round(1e6 / timing.medianUs) };
  });
  if (sink === 0 || written === 0)
    throw new Error('every decision was a denial: the bench policy is wrong');
  const at200 = (scenario: string) =>
    rows.find((row) => row.scenario === scenario && row.rules === 200)!;
  const full200 = at200('full decision');
  const ratio = (scenario: string) =>
    Math.round((at200(scenario).perSecond / full200.perSecond) * 100) / 100;
  return {
    rows,
    decisionLogRatio: {
      full: ratio('decision + log (all)'),
      sampled: ratio('decision + log (1 %)'),
    },
    targetUs: 5,
    withinTarget: full200.medianUs <= 5,
  };
}

/**
 * What the default sink costs the request path besides the I/O: one JSON line per decision
 * (the Nest logger then writes it wherever the app's logs go).
 */
let written = 0;
const jsonSink: DecisionLogSink = {
  write: (record) => void (written += JSON.stringify(record).length),
};

function baseContext(): PolicyContext {
  return {
    now: NOW,
    ip: '10.1.2.3',
    country: null,
    authLevel: 'password',
    sessionCreatedAt: NOW - 60_000,
    authenticatedAt: NOW - 60_000,
  };
}

function printTable(result: PolicyBenchResult): void {
  const line = (cells: string[]) =>
    cells.map((cell, i) => cell.padEnd([22, 7, 12, 10, 12][i])).join(' ');
  console.log(line(['scenario', 'rules', 'median µs', 'p95 µs', 'per second']));
  for (const row of result.rows) {
    console.log(
      line([
        row.scenario,
        String(row.rules),
        row.medianUs.toFixed(3),
        row.p95Us.toFixed(3),
        String(row.perSecond),
      ]),
    );
  }
  const { full, sampled } = result.decisionLogRatio;
  console.log(
    `decision log: ${full}× the decisions/s with every decision logged, ${sampled}× at 1 %`,
  );
  console.log(
    `target: full decision at 200 rules ≤ ${result.targetUs} µs median — ${result.withinTarget ? 'met' : 'MISSED'}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runPolicyBench().then(printTable, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
