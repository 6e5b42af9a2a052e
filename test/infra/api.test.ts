/**
 * The HTTP API on AWS (infra/constructs/api.ts): every route of api/openapi.json behind an authorizer,
 * stage throttling, CORS only for configured origins, JSON access logs, and each function's role
 * holding exactly the actions its code sends; the rule cleaning up after deletes made in S3.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_LOG_FIELDS, type API_FUNCTIONS } from '../../infra/constructs/api';
import { REPO_ROOT } from '../../infra/constructs/task-functions';
import { grants, logicalIdOf, roleStatements, synthPicflow, type SynthesizedStack } from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (synth: SynthesizedStack, type: string) =>
  Object.values(synth.template.toJSON().Resources as Resources)
    .filter((r) => r.Type === type)
    .map((r) => r.Properties);

/** `METHOD /path` of every operation in api/openapi.json, with the greedy `{imageId+}` API Gateway uses. */
function documentedRoutes(): string[] {
  const document = JSON.parse(readFileSync(join(REPO_ROOT, 'api', 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path.replace('{imageId}', '{imageId+}')}`),
  );
}

describe('HTTP API (default: IAM auth)', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthPicflow();
  });

  it('has exactly the documented routes (a served route missing from api/openapi.json fails), each with IAM authorization', () => {
    // Act
    const routes = ofType(synth, 'AWS::ApiGatewayV2::Route');

    // Assess
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(documentedRoutes().sort());
    for (const route of routes) expect([route.RouteKey, route.AuthorizationType]).toEqual([route.RouteKey, 'AWS_IAM']);
    expect(ofType(synth, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });

  it('throttles the stage (50 rps, burst 100), logs each request as JSON to a retained log group, and allows no CORS origin', () => {
    // Act
    const [stage] = ofType(synth, 'AWS::ApiGatewayV2::Stage');
    const [api] = ofType(synth, 'AWS::ApiGatewayV2::Api');

    // Assess
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.AutoDeploy).toBe(true);
    const accessLog = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(JSON.parse(accessLog.Format)).toEqual(ACCESS_LOG_FIELDS);
    expect(accessLog.Format).toContain('$context.requestId');
    expect(accessLog.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(synth.stack, synth.stack.api!.accessLogs), 'Arn'] });
    synth.template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    expect(api.CorsConfiguration).toBeUndefined();
  });

  it.each([
    ['Uploads', (o: (p: string) => string) => [`s3:PutObject ${o('uploads/')}`]],
    [
      'Images',
      (o: (p: string) => string, table: string, collection: string) => [
        `dynamodb:BatchWriteItem ${table}`,
        `dynamodb:DeleteItem ${table}`,
        `dynamodb:GetItem ${table}`,
        `s3:GetObject ${o('uploads/')}`,
        `s3:GetObject ${o('thumbnails/')}`,
        ...['uploads/', 'thumbnails/', 'normalized/', 'analysis/'].map((p) => `s3:DeleteObject ${o(p)}`),
        // Deleting an image deletes its faces (tasks/shared/faces.ts), on the collection's ARN only.
        `rekognition:DeleteFaces ${collection}`,
        `rekognition:DisassociateFaces ${collection}`,
      ],
    ],
    [
      'Search',
      (o: (p: string) => string, table: string) => [
        ...['byStatusTime', 'byVerdictTime', 'byLabelTime'].map((i) => `dynamodb:Query ${table}/index/${i}`),
        // Its rows carry presigned GETs of thumbnails, signed with this role.
        `s3:GetObject ${o('thumbnails/')}`,
      ],
    ],
    ['OpenApi', () => []],
    [
      'Faces',
      (_o: (p: string) => string, table: string, collection: string) => [
        // Names (`#person/` entries), the searched image's faces and hashed ExternalImageIds.
        ...['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem'].map((a) => `dynamodb:${a} ${table}`),
        // Search and the user operations, on the collection's ARN only (never "*").
        ...[
          'AssociateFaces',
          'CreateUser',
          'DeleteUser',
          'DisassociateFaces',
          'ListFaces',
          'ListUsers',
          'SearchFaces',
          'SearchFacesByImage',
        ].map((a) => `rekognition:${a} ${collection}`),
      ],
    ],
    [
      'ObjectDeleted',
      (o: (p: string) => string, table: string, collection: string) => [
        `dynamodb:BatchWriteItem ${table}`,
        `dynamodb:DeleteItem ${table}`,
        `dynamodb:GetItem ${table}`,
        ...['thumbnails/', 'normalized/', 'analysis/'].map((p) => `s3:DeleteObject ${o(p)}`),
        `rekognition:DeleteFaces ${collection}`,
        `rekognition:DisassociateFaces ${collection}`,
      ],
    ],
  ] as [keyof typeof API_FUNCTIONS, (o: (p: string) => string, table: string, collection: string) => string[]][])(
    '%s has exactly the grants its code uses',
    (name, expected) => {
      // Prepare
      const fn = synth.stack.api!.functions[name];
      const bucket = logicalIdOf(synth.stack, synth.stack.storage.bucket);
      const table = `<${logicalIdOf(synth.stack, synth.stack.storage.table)}.Arn>`;
      const logGroup = `<${logicalIdOf(synth.stack, fn.logGroup)}.Arn>`;
      const base = [
        `logs:CreateLogStream ${logGroup}`,
        `logs:PutLogEvents ${logGroup}`,
        'xray:PutTelemetryRecords *',
        'xray:PutTraceSegments *',
      ];

      // Act
      const actual = grants(roleStatements(synth.template, logicalIdOf(synth.stack, fn.role)));

      // Assess
      const collection = `<${logicalIdOf(synth.stack, synth.stack.imagePipeline.faceCollection!)}.Arn>`;
      expect(actual).toEqual([...base, ...expected((p) => `<${bucket}.Arn>/${p}*`, table, collection)].sort());
    },
  );

  it('gives the functions the bucket and table they serve', () => {
    // Act
    const functions = Object.values(synth.stack.api!.functions).map(
      (f) => synth.template.toJSON().Resources[logicalIdOf(synth.stack, f.function)].Properties,
    );

    // Assess
    for (const fn of functions) {
      expect(fn.Environment.Variables).toMatchObject({
        BUCKET_NAME: { Ref: logicalIdOf(synth.stack, synth.stack.storage.bucket) },
        TABLE_NAME: { Ref: logicalIdOf(synth.stack, synth.stack.storage.table) },
        UPLOAD_PREFIX: 'uploads/',
      });
    }
  });

  it('serves the face routes from the Faces function and outputs the face collection id the CLI finds it by', () => {
    // Prepare
    const faces = logicalIdOf(synth.stack, synth.stack.api!.functions.Faces.function);
    const integrations = Object.fromEntries(
      Object.entries(synth.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Integration')
        .map(([id, r]) => [id, JSON.stringify(r.Properties.IntegrationUri)]),
    );

    // Act
    const faceRoutes = ofType(synth, 'AWS::ApiGatewayV2::Route').filter((r) => /\/(faces|people)/.test(String(r.RouteKey)));

    // Assess
    expect(faceRoutes.map((r) => r.RouteKey).sort()).toEqual([
      'DELETE /people/{userId}',
      'GET /people',
      'GET /people/{userId}/images',
      'PATCH /people/{userId}',
      'POST /faces/search',
      'POST /people',
      'POST /people/{userId}/merge',
    ]);
    for (const route of faceRoutes) {
      const { Ref } = (route.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1];
      expect([route.RouteKey, integrations[Ref]]).toEqual([route.RouteKey, expect.stringContaining(faces)]);
    }
    synth.template.hasOutput('FaceCollectionId', { Value: { Ref: logicalIdOf(synth.stack, synth.stack.imagePipeline.faceCollection!) } });
  });

  it('sends S3 "Object Deleted" events under the upload prefix to the clean-up function, undeliverable ones to the DLQ', () => {
    // Prepare
    const bucket = logicalIdOf(synth.stack, synth.stack.storage.bucket);

    // Act / Assess
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Deleted'],
        detail: { bucket: { name: [{ Ref: bucket }] }, object: { key: [{ prefix: 'uploads/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(synth.stack, synth.stack.api!.functions.ObjectDeleted.function), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        }),
      ],
    });
  });
});

describe('HTTP API options', () => {
  it('with JWT auth: one JWT authorizer (issuer, audience) on every route; configured CORS origins and throttling', () => {
    // Act
    const synth = synthPicflow({
      api: {
        auth: 'jwt',
        jwtIssuer: 'https://issuer.example.com',
        jwtAudience: ['client-1'],
        corsOrigins: ['https://app.example.com'],
        throttleRate: 5,
        throttleBurst: 7,
      },
    });

    // Assess
    const [authorizer] = ofType(synth, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer).toMatchObject({
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['client-1'] },
    });
    const authorizerId = logicalIdsOfAuthorizer(synth);
    for (const route of ofType(synth, 'AWS::ApiGatewayV2::Route')) {
      expect([route.RouteKey, route.AuthorizationType, route.AuthorizerId]).toEqual([route.RouteKey, 'JWT', { Ref: authorizerId }]);
    }
    const [api] = ofType(synth, 'AWS::ApiGatewayV2::Api');
    expect(api.CorsConfiguration).toMatchObject({
      AllowOrigins: ['https://app.example.com'],
      AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    });
    expect(ofType(synth, 'AWS::ApiGatewayV2::Stage')[0].DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 7 });
  });

  it('with Cognito auth: a pool (strong passwords, admin-made users, Lite), a public client, its JWT authorizer on routes, outputs', () => {
    // Act
    const synth = synthPicflow({ api: { auth: 'cognito' } });

    // Assess
    const pool = logicalIdOf(synth.stack, synth.stack.api!.users!.userPool);
    const client = logicalIdOf(synth.stack, synth.stack.api!.users!.client);
    synth.template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
      },
      UserPoolTier: 'LITE',
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    expect(JSON.stringify(ofType(synth, 'AWS::Cognito::UserPool'))).not.toMatch(/AdvancedSecurityMode|UserPoolAddOns/);
    synth.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: pool },
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const [authorizer] = ofType(synth, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer).toMatchObject({ AuthorizerType: 'JWT', JwtConfiguration: { Audience: [{ Ref: client }] } });
    expect(JSON.stringify((authorizer.JwtConfiguration as { Issuer: unknown }).Issuer)).toContain(pool);
    const authorizerId = logicalIdsOfAuthorizer(synth);
    for (const route of ofType(synth, 'AWS::ApiGatewayV2::Route')) {
      expect([route.RouteKey, route.AuthorizationType, route.AuthorizerId]).toEqual([route.RouteKey, 'JWT', { Ref: authorizerId }]);
    }
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect([outputs.UserPoolId?.Value, outputs.UserPoolClientId?.Value]).toEqual([{ Ref: pool }, { Ref: client }]);
  });

  it('with Cognito auth and self sign-up asked for, anyone may sign up; without Cognito there is no pool and no pool output', () => {
    // Act
    const open = synthPicflow({ api: { auth: 'cognito', cognitoSelfSignUp: true } });
    const iam = synthPicflow();

    // Assess
    open.template.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: false } });
    expect(ofType(iam, 'AWS::Cognito::UserPool')).toEqual([]);
    expect(Object.keys(iam.template.toJSON().Outputs)).not.toContain('UserPoolId');
  });

  it('api: false builds no API, no clean-up rule and no API function', () => {
    // Act
    const synth = synthPicflow({ api: false });

    // Assess
    expect(ofType(synth, 'AWS::ApiGatewayV2::Api')).toEqual([]);
    expect(ofType(synth, 'AWS::Events::Rule').map((r) => (r.EventPattern as { 'detail-type': string[] })['detail-type'][0])).not.toContain(
      'Object Deleted',
    );
  });
});

function logicalIdsOfAuthorizer(synth: SynthesizedStack): string {
  const ids = Object.keys(synth.template.findResources('AWS::ApiGatewayV2::Authorizer'));
  expect(ids).toHaveLength(1);
  return ids[0];
}
