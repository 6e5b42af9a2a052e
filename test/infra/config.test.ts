/**
 * Context parsing (infra/config.ts) and the app entry's handling of bad context: defaults, values as
 * the CLI passes them (strings) and as cdk.json holds them (JSON), and one error listing every problem.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CONTEXT_KEYS,
  DEFAULT_PREFIXES,
  DEFAULT_TASK_SETTINGS,
  parsePicflowContext,
  PicflowContextError,
  prefixProblems,
} from '../../infra/config';
import { REPO_ROOT } from '../../infra/constructs/task-functions';
import { parseThumbnailSizes } from '../../tasks/shared/settings';

const from = (context: Record<string, unknown>) => (key: string) => context[key];

function problemsOf(context: Record<string, unknown>, allKeys: string[] = []): readonly string[] {
  try {
    parsePicflowContext(from(context), allKeys);
  } catch (error) {
    if (error instanceof PicflowContextError) return error.problems;
    throw error;
  }
  return [];
}

describe('parsePicflowContext', () => {
  it('returns the documented defaults when no context is given', () => {
    // Prepare
    const context = {};

    // Act
    const config = parsePicflowContext(from(context));

    // Assess
    expect(config).toEqual({
      stackName: 'Picflow',
      prefixes: DEFAULT_PREFIXES,
      tasks: DEFAULT_TASK_SETTINGS,
      architecture: Architecture.ARM_64,
      removalPolicy: RemovalPolicy.RETAIN,
      logRetention: RetentionDays.ONE_MONTH,
      alarmEmail: undefined,
      api: { auth: 'iam', corsOrigins: [], throttleRate: 50, throttleBurst: 100 },
      backfill: { concurrency: 40, toleratedFailurePercentage: 5 },
    });
    // Each documented default is the one the parser applies.
    expect(CONTEXT_KEYS.find((k) => k.key === 'uploadPrefix')?.default).toBe(config.prefixes.upload);
    expect(parseThumbnailSizes(CONTEXT_KEYS.find((k) => k.key === 'thumbnailSizes')!.default)).toEqual(config.tasks.thumbnails);
    expect(CONTEXT_KEYS.find((k) => k.key === 'analyses')?.default).toBe(config.tasks.analyses.join(','));
    expect(CONTEXT_KEYS.find((k) => k.key === 'maxImageBytes')?.default).toBe(String(config.tasks.maxImageBytes));
  });

  it('reads the API keys: off, JWT with issuer and audiences, CORS origins, throttling; lists every bad one', () => {
    // Act
    const off = parsePicflowContext(from({ api: 'off' }));
    const jwt = parsePicflowContext(
      from({
        apiAuth: 'jwt',
        jwtIssuer: 'https://issuer.example.com',
        jwtAudience: 'a, b',
        corsOrigins: 'https://app.example.com',
        apiThrottleRate: '5',
        apiThrottleBurst: 9,
      }),
    );
    const bad = () =>
      parsePicflowContext(
        from({ apiAuth: 'jwt', jwtIssuer: 'http://plain', corsOrigins: '*', apiThrottleRate: '0', apiThrottleBurst: 'lots' }),
      );

    // Assess
    expect(off.api).toBeUndefined();
    expect(jwt.api).toEqual({
      auth: 'jwt',
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: ['a', 'b'],
      corsOrigins: ['https://app.example.com'],
      throttleRate: 5,
      throttleBurst: 9,
    });
    expect(bad).toThrow(PicflowContextError);
    expect(() => bad()).toThrow(/jwtIssuer[\s\S]*jwtAudience[\s\S]*corsOrigins: "\*"[\s\S]*apiThrottleRate[\s\S]*apiThrottleBurst/);
  });

  it('reads apiAuth=cognito, with self sign-up off unless cognitoSelfSignUp=true; refuses the Cognito flag with other auth', () => {
    // Act
    const cognito = parsePicflowContext(from({ apiAuth: 'cognito' }));
    const open = parsePicflowContext(from({ apiAuth: 'cognito', cognitoSelfSignUp: 'true' }));
    const misplaced = () => parsePicflowContext(from({ cognitoSelfSignUp: 'true' }));
    const withIssuer = () => parsePicflowContext(from({ apiAuth: 'cognito', jwtIssuer: 'https://issuer.example.com' }));

    // Assess
    expect(cognito.api).toMatchObject({ auth: 'cognito', cognitoSelfSignUp: false });
    expect(cognito.api).not.toHaveProperty('jwtIssuer');
    expect(open.api).toMatchObject({ auth: 'cognito', cognitoSelfSignUp: true });
    expect(misplaced).toThrow(/cognitoSelfSignUp: set only with apiAuth=cognito/);
    expect(withIssuer).toThrow(/jwtIssuer\/jwtAudience: set only with apiAuth=jwt/);
  });

  it('accepts strings as `-c key=value` passes them', () => {
    // Prepare
    const context = {
      stackName: 'picflow-dev',
      uploadPrefix: 'incoming/photos/',
      thumbnailSizes: '64x64:cover,1024x768',
      analyses: 'labels,moderation,labels',
      minLabelConfidence: '55.5',
      maxLabels: '10',
      rekognitionMaxAttempts: '3',
      architecture: 'x86_64',
      removalPolicy: 'DESTROY',
      logRetentionDays: '14',
      alarmEmail: 'ops@example.com',
    };

    // Act
    const config = parsePicflowContext(from(context));

    // Assess
    expect(config.stackName).toBe('picflow-dev');
    expect(config.prefixes).toEqual({ ...DEFAULT_PREFIXES, upload: 'incoming/photos/' });
    expect(config.tasks).toMatchObject({
      thumbnails: parseThumbnailSizes('64x64:cover,1024x768'),
      analyses: ['labels', 'moderation'],
      minLabelConfidence: 55.5,
      maxLabels: 10,
      rekognitionMaxAttempts: 3,
    });
    expect(config.architecture).toBe(Architecture.X86_64);
    expect(config.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(config.logRetention).toBe(RetentionDays.TWO_WEEKS);
    expect(config.alarmEmail).toBe('ops@example.com');
  });

  it('accepts JSON numbers as cdk.json holds them, `none` analyses and infinite retention', () => {
    // Prepare
    const context = { maxImageBytes: 1048576, claimTimeoutSeconds: 600, analyses: 'none', logRetentionDays: 'infinite' };

    // Act
    const config = parsePicflowContext(from(context));

    // Assess
    expect(config.tasks.maxImageBytes).toBe(1048576);
    expect(config.tasks.claimTimeoutSeconds).toBe(600);
    expect(config.tasks.analyses).toEqual([]);
    expect(config.logRetention).toBe(RetentionDays.INFINITE);
  });

  it('reports every problem at once, naming the context key', () => {
    // Prepare
    const context = {
      uploadPrefix: '/uploads',
      thumbnailSizes: '128',
      analyses: 'faces,colours',
      minLabelConfidence: '0',
      minTextConfidence: '101',
      maxLabels: '2.5',
      rekognitionMaxAttempts: '11',
      architecture: 'arm',
      removalPolicy: 'snapshot',
      logRetentionDays: '31',
      alarmEmail: 'not-an-address',
      stackName: '1picflow',
    };

    // Act
    const problems = problemsOf(context);

    // Assess
    expect(problems).toHaveLength(12);
    for (const key of Object.keys(context)) {
      expect(problems.some((p) => p.startsWith(key) || p.includes(`${key} `))).toBe(true);
    }
    expect(problems.join('\n')).toMatch(/thumbnailSizes: "128" is not WIDTHxHEIGHT/);
    expect(problems.join('\n')).toMatch(/analyses: "colours" is not one of faces, labels, text, moderation/);
  });

  it('rejects prefixes that overlap, since derived objects under the upload prefix would restart the pipeline', () => {
    // Prepare
    const context = { uploadPrefix: 'images/', thumbnailPrefix: 'images/thumbs/' };

    // Act
    const problems = problemsOf(context);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/uploadPrefix "images\/" and thumbnailPrefix "images\/thumbs\/" overlap.*start the pipeline again/),
    ]);
  });

  it('rejects an empty analyses list unless it is spelled `none`', () => {
    // Prepare / Act
    const problems = problemsOf({ analyses: ' , ' });

    // Assess
    expect(problems).toEqual([expect.stringMatching(/analyses: give at least one .* or `none`/)]);
  });

  it('reports a context key that differs from a supported one only by case', () => {
    // Prepare
    const context = { uploadprefix: 'photos/' };

    // Act
    const problems = problemsOf(context, Object.keys(context));

    // Assess
    expect(problems).toEqual(['unknown context key "uploadprefix": did you mean "uploadPrefix"?']);
  });
});

describe('prefixProblems', () => {
  it.each([
    ['uploads', /must be a non-empty key prefix/],
    ['', /must be a non-empty key prefix/],
    ['up*loads/', /must be a non-empty key prefix/],
    ['a//b/', /must be a non-empty key prefix/],
    ['a/../b/', /must not contain "\." or "\.\." segments/],
  ])('rejects upload prefix %j', (upload, message) => {
    // Prepare
    const prefixes = { ...DEFAULT_PREFIXES, upload };

    // Act
    const problems = prefixProblems(prefixes);

    // Assess
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  it('accepts the defaults and nested, non-overlapping prefixes', () => {
    // Prepare / Act / Assess
    expect(prefixProblems(DEFAULT_PREFIXES)).toEqual([]);
    expect(prefixProblems({ upload: 'in/raw/', thumbnail: 'out/thumbs/', normalized: 'out/jpeg/', analysis: 'out/json/' })).toEqual([]);
  });
});

describe('infra/app.ts', () => {
  it('exits with status 1 and lists the invalid context instead of synthesizing', () => {
    // Prepare: the CLI hands context to the app through CDK_CONTEXT_JSON.
    const env = {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ uploadPrefix: 'thumbnails/', architecture: 'sparc' }),
      CDK_OUTDIR: join(REPO_ROOT, 'cdk.out', 'never-written'),
    };

    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'infra', 'app.ts')], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid picflow context (2 problems)');
    expect(result.stderr).toMatch(/uploadPrefix "thumbnails\/" and thumbnailPrefix "thumbnails\/" overlap/);
    expect(result.stderr).toContain('architecture: "sparc" is not arm64 or x86_64');
  });
});
