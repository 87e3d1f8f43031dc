import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/**
 * The names each entry point of the package exports, values and types alike. Adding or removing a
 * public name means changing this list on purpose (and the CHANGELOG); a name that slips in or out
 * by accident fails here.
 */
const PUBLIC_API: Record<string, string[]> = {
  '.': [
    'AUDIT_RETENTION_SCHEDULE',
    'AccountDisabledError',
    'ActiveSession',
    'AllowPendingReauth',
    'AuditChainBrokenError',
    'AuditDetailsError',
    'AuditEventType',
    'AuditRetentionJob',
    'AuditRetentionSchedule',
    'AuditRetentionService',
    'AuditService',
    'BulkRevocationOptions',
    'BulkRevocationService',
    'Can',
    'CheckPolicies',
    'Clock',
    'CsrfGuard',
    'CsrfService',
    'CurrentAbility',
    'CurrentSession',
    'CurrentUser',
    'DatabaseUnavailableException',
    'DefineAbilityHook',
    'Duration',
    'ErrorCode',
    'FreshAuthConfigurationError',
    'FreshAuthGuard',
    'GeoResolver',
    'HeaderGeoResolver',
    'HttpErrorFilter',
    'ImpersonationService',
    'Impersonator',
    'InAppChannel',
    'InvalidCredentialsException',
    'InvalidRequestException',
    'LiveConnections',
    'LogChannel',
    'LoginThrottleService',
    'NotificationBatchService',
    'NotificationChannel',
    'NotificationModuleOptions',
    'NotificationService',
    'PolicyAbility',
    'PolicyContext',
    'PolicyDocument',
    'PolicyEvaluation',
    'PolicyExplanation',
    'PolicyGuard',
    'PolicyHandler',
    'PolicyService',
    'PolicyUser',
    'PolicyValidationError',
    'Public',
    'ReauthRequiredException',
    'RedisSource',
    'RefuseImpersonation',
    'RequireFreshAuth',
    'RevocationService',
    'RevokedReason',
    'SessionCookieInterceptor',
    'SessionEvent',
    'SessionEventDetails',
    'SessionEventType',
    'SessionEvents',
    'SessionGuard',
    'SessionKind',
    'SessionLogin',
    'SessionNotification',
    'SessionPrincipal',
    'SessionRevocationsController',
    'SessionSecurityException',
    'SessionSecurityExtras',
    'SessionSecurityHealth',
    'SessionSecurityModule',
    'SessionSecurityModuleOptions',
    'SessionSecurityOptionsError',
    'SessionService',
    'SessionUserDirectory',
    'SubjectLoader',
    'TooManySessionsException',
    'UnattributablePermissionChangeError',
    'WebhookChannel',
    'clearSessionCookie',
    'decideFreshAuth',
    'endWithSession',
    'jobQueueToken',
    'jobQueuesProvider',
    'notificationEntities',
    'notificationMigrations',
    'notificationProviders',
    'parseDuration',
    'requestState',
    'sessionSecurityEntities',
    'sessionSecurityMigrations',
    'setSessionCookie',
    'verifyWebhookSignature',
  ],
  './surfaces': [
    'GuardedCall',
    'RpcTokenExtractor',
    'SurfaceGraphqlError',
    'SurfaceType',
    'WS_CLOSE_FORBIDDEN',
    'WS_CLOSE_UNAUTHORIZED',
    'answerClientErrorsAsJson',
    'appendHeader',
    'attachHandshake',
    'headersSent',
    'resolveCall',
    'sendJson',
    'setHeader',
  ],
  './websocket': ['SessionWsAdapter'],
  './socket-io': ['SessionIoAdapter'],
  './queue-dashboard': ['QueueDashboardModule', 'QueueDashboardOptions'],
  './passport': ['SessionTokenStrategy'],
  './policy-tools': [
    'DecisionLog',
    'DecisionLogSink',
    'PermissionReview',
    'PolicyChangeResult',
    'PolicyChanges',
    'PolicyDecisionRecord',
    'PolicyQuestion',
    'PolicyTrace',
    'parsePolicyQuestion',
  ],
  './testing': [
    'DescribePolicyTestsOptions',
    'ManualClock',
    'PolicyCoverage',
    'PolicyTestFileOptions',
    'PolicyTestOutcome',
    'PolicyTestReport',
    'PolicyTestResult',
    'PolicyTestSuiteError',
    'describePolicyTests',
    'formatPolicyTestFailure',
    'formatPolicyTestReport',
    'runPolicyTestFiles',
  ],
  './cli': [
    'SessionSecurityCliConfig',
    'SessionSecurityCliMode',
    'SessionSecurityCliModule',
    'defineSessionSecurityCli',
  ],
};

interface Manifest {
  exports: Record<string, string | { types: string; default: string }>;
}

/** The source file an export map entry is compiled from: `./dist/src/x.d.ts` -> `src/x.ts`. */
function sourceOf(target: { types: string }): string {
  return target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts');
}

describe('the public API', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
  const entries = Object.entries(manifest.exports).filter(
    (entry): entry is [string, { types: string; default: string }] => typeof entry[1] !== 'string',
  );
  const exported = new Map<string, string[]>();

  beforeAll(() => {
    // The type checker's view of each entry point: every value and type name a user can import.
    const roots = entries.map(([, target]) => sourceOf(target));
    const program = ts.createProgram(roots, {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      skipLibCheck: true,
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    for (const [subpath, target] of entries) {
      const file = program.getSourceFile(sourceOf(target));
      const symbol = file && checker.getSymbolAtLocation(file);
      if (!symbol) throw new Error(`${subpath}: ${sourceOf(target)} is not a module`);
      exported.set(
        subpath,
        checker
          .getExportsOfModule(symbol)
          .map((s) => s.name)
          .sort(),
      );
    }
  }, 120_000);

  it('has an explicit list for every entry point of the exports map, and no other', () => {
    expect(entries.map(([subpath]) => subpath).sort()).toEqual(Object.keys(PUBLIC_API).sort());
  });

  it.each(Object.keys(PUBLIC_API))('exports exactly the listed names from %s', (subpath) => {
    expect(exported.get(subpath)).toEqual([...PUBLIC_API[subpath]].sort());
  });

  it('keeps the main entry point under 100 names', () => {
    expect(exported.get('.')!.length).toBeLessThan(100);
  });

  it('keeps test helpers, the CLI and optional integrations off the main entry point', () => {
    const main = new Set(exported.get('.'));
    const elsewhere = [...exported].filter(
      ([subpath]) => subpath !== '.' && subpath !== './surfaces',
    );
    expect(elsewhere.flatMap(([, names]) => names.filter((name) => main.has(name)))).toEqual([]);
  });

  it('exports every name the README and docs import from the package', () => {
    const docs = ['README.md', ...readdirSync('docs').map((f) => `docs/${f}`)].filter((f) =>
      f.endsWith('.md'),
    );
    const missing: string[] = [];
    let checked = 0;
    for (const doc of docs) {
      const text = readFileSync(doc, 'utf8');
      for (const m of text.matchAll(
        /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'nestjs-session-security(\/[\w-]+)?'/g,
      )) {
        const names = exported.get(`.${m[2] ?? ''}`) ?? [];
        for (const item of m[1].split(',')) {
          const name = item
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0];
          if (name) checked++;
          if (name && !names.includes(name)) missing.push(`${doc}: ${name} from .${m[2] ?? ''}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('lets the example app import the library only through its public entry points', () => {
    const publicSources = new Set(entries.map(([, target]) => sourceOf(target)));
    const files = readdirSync('example', { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join('example', f));
    const internal: string[] = [];
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']*)'/g)) {
        const target = relative('.', join(dirname(file), m[1])).replace(/\.js$/, '.ts');
        if (target.startsWith('src/') && !publicSources.has(target)) {
          internal.push(`${file}: ${m[1]}`);
        }
      }
    }
    expect(files.length).toBeGreaterThan(10);
    expect(internal).toEqual([]);
  });
});
