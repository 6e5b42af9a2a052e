/**
 * PicflowApi: the HTTP API of api/openapi.json on API Gateway (HTTP API, payload 2.0), one function per
 * route group (api/<group>/handler.ts), each with its own role holding exactly the actions its code
 * sends; never anonymous (IAM by default; as options JWT from an issuer, or from a Cognito user pool it
 * creates), throttled, access-logged. Plus the clean-up after an upload is deleted directly in S3: an
 * EventBridge rule (statemachines/trigger.ts) and its function.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { uploadDeletedEventPattern } from '../../statemachines/trigger';
import { QUERY_INDEXES } from '../../tasks/shared/image-indexes';
import { DEFAULT_API_SETTINGS, type PicflowApiSettings, type PicflowPrefixes, type PicflowTaskSettings } from '../config';
import { acknowledgeWildcardResources, XRAY_WILDCARD } from '../acknowledge';
import { ApiUserPool } from './api-user-pool';
import { toCdkEventPattern } from './pipeline';
import { bundlingFor, DELETE_FACES_ACTIONS, type FaceCollectionRef, lockFileOf, PACKAGE_ROOT, taskEnvironment } from './task-functions';

type ObjectArea = keyof PicflowPrefixes;

/** What one of the API's functions may do: exactly the SDK commands its code sends (see each entry). */
export interface ApiFunctionProfile {
  /** The folder under api/ holding handler.ts. */
  readonly folder: string;
  readonly description: string;
  /** DynamoDB item actions on the images table. */
  readonly tableActions?: readonly string[];
  /** dynamodb:Query on the query indexes (never on the table itself: no scan, no base-table query). */
  readonly queryIndexes?: boolean;
  /** Rekognition actions on the face collection's ARN (deleting an image deletes its faces; search; people). */
  readonly collection?: readonly string[];
  /** S3 object actions, by prefix. */
  readonly objects?: readonly { actions: readonly string[]; areas: readonly ObjectArea[] }[];
}

/** The route groups of api/openapi.json, and the clean-up. Keyed by construct id. */
export const API_FUNCTIONS = {
  // PutObject (store-upload.ts) and the presigned POST (presign.ts): S3 checks a presigned request
  // against the signer's permissions, so the POST form needs the same PutObject on uploads/.
  Uploads: { folder: 'uploads', description: 'POST /uploads, POST /images', objects: [{ actions: ['s3:PutObject'], areas: ['upload'] }] },
  // get-image.ts: GetItem, and presigned GETs of the original and thumbnails (signed with this role).
  // delete-image.ts: GetItem, DeleteObject of the original and everything derived, BatchWriteItem of
  // label-entry deletes (tasks/shared/label-index.ts), DeleteItem.
  Images: {
    folder: 'images',
    description: 'GET and DELETE /images/{imageId+}',
    tableActions: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'],
    collection: DELETE_FACES_ACTIONS,
    objects: [
      { actions: ['s3:GetObject'], areas: ['upload', 'thumbnail'] },
      { actions: ['s3:DeleteObject'], areas: ['upload', 'thumbnail', 'normalized', 'analysis'] },
    ],
  },
  // query-images.ts: Query on byStatusTime / byVerdictTime / byLabelTime only; thumbnail-urls.ts presigns GETs of thumbnails.
  Search: {
    folder: 'search',
    description: 'GET /images',
    queryIndexes: true,
    objects: [{ actions: ['s3:GetObject'], areas: ['thumbnail'] }],
  },
  OpenApi: { folder: 'openapi', description: 'GET /openapi.json' },
  // search-faces.ts: SearchFacesByImage / SearchFaces, GetItem (the searched image's faces, hashed
  // ExternalImageIds). people.ts: the user operations, ListFaces by user, names as `#person/` items
  // (PutItem, DeleteItem, BatchGetItem in personNames).
  Faces: {
    folder: 'faces',
    description: 'POST /faces/search, /people routes',
    tableActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
    collection: [
      'rekognition:AssociateFaces',
      'rekognition:CreateUser',
      'rekognition:DeleteUser',
      'rekognition:DisassociateFaces',
      'rekognition:ListFaces',
      'rekognition:ListUsers',
      'rekognition:SearchFaces',
      'rekognition:SearchFacesByImage',
    ],
  },
  // clean-up-deleted.ts: delete-image.ts without the original (already deleted in S3).
  ObjectDeleted: {
    folder: 'deleted',
    description: 'clean-up after an upload is deleted directly in S3',
    tableActions: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'],
    collection: DELETE_FACES_ACTIONS,
    objects: [{ actions: ['s3:DeleteObject'], areas: ['thumbnail', 'normalized', 'analysis'] }],
  },
} as const satisfies Record<string, ApiFunctionProfile>;

/** Each route of api/openapi.json (plus the document itself) and the function that answers it. */
export const API_ROUTES: readonly { method: apigw.HttpMethod; path: string; fn: keyof typeof API_FUNCTIONS }[] = [
  { method: apigw.HttpMethod.POST, path: '/uploads', fn: 'Uploads' },
  { method: apigw.HttpMethod.POST, path: '/images', fn: 'Uploads' },
  { method: apigw.HttpMethod.GET, path: '/images', fn: 'Search' },
  { method: apigw.HttpMethod.GET, path: '/images/{imageId+}', fn: 'Images' },
  { method: apigw.HttpMethod.DELETE, path: '/images/{imageId+}', fn: 'Images' },
  { method: apigw.HttpMethod.GET, path: '/openapi.json', fn: 'OpenApi' },
  { method: apigw.HttpMethod.POST, path: '/faces/search', fn: 'Faces' },
  { method: apigw.HttpMethod.GET, path: '/people', fn: 'Faces' },
  { method: apigw.HttpMethod.POST, path: '/people', fn: 'Faces' },
  { method: apigw.HttpMethod.PATCH, path: '/people/{userId}', fn: 'Faces' },
  { method: apigw.HttpMethod.DELETE, path: '/people/{userId}', fn: 'Faces' },
  { method: apigw.HttpMethod.POST, path: '/people/{userId}/merge', fn: 'Faces' },
  { method: apigw.HttpMethod.GET, path: '/people/{userId}/images', fn: 'Faces' },
];

/**
 * One JSON line per request: who (the IAM caller or the token's subject), what (route, status), how long,
 * and why it failed (authorizer, integration). Never the body or the query string (label names, tokens).
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.userArn',
  subject: '$context.authorizer.claims.sub',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  error: '$context.error.message',
};

export interface PicflowApiProps {
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** The face collection the images' faces are deleted from. */
  readonly faceCollection?: FaceCollectionRef;
  readonly prefixes: PicflowPrefixes;
  readonly settings: PicflowTaskSettings;
  /** @default DEFAULT_API_SETTINGS (IAM auth, no CORS origin, 50 rps / 100 burst) */
  readonly api?: Partial<PicflowApiSettings>;
  readonly architecture: lambda.Architecture;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Where the clean-up's events go when they cannot be delivered (the pipeline's dead-letter queue). */
  readonly deadLetterQueue: sqs.IQueue;
  /** @default the picflow package's api/ folder */
  readonly apiDir?: string;
}

export interface PicflowApiFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

export class PicflowApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly functions: Readonly<Record<keyof typeof API_FUNCTIONS, PicflowApiFunction>>;
  /** S3 "Object Deleted" under the upload prefix -> the ObjectDeleted function. */
  readonly deletedRule: events.Rule;
  readonly settings: PicflowApiSettings;
  /** With auth `cognito`: the user pool, app client and JWT authorizer the stack creates. */
  readonly users?: ApiUserPool;

  constructor(scope: Construct, id: string, props: PicflowApiProps) {
    super(scope, id);
    const settings: PicflowApiSettings = { ...DEFAULT_API_SETTINGS, ...props.api };
    this.settings = settings;
    const apiDir = props.apiDir ?? join(PACKAGE_ROOT, 'api');
    const environment = { ...taskEnvironment(props), BUCKET_NAME: props.bucket.bucketName };
    this.functions = Object.fromEntries(
      Object.entries(API_FUNCTIONS).map(([name, profile]) => [name, this.apiFunction(name, profile, apiDir, environment, props)]),
    ) as unknown as Record<keyof typeof API_FUNCTIONS, PicflowApiFunction>;

    if (settings.auth === 'cognito') {
      this.users = new ApiUserPool(this, 'Users', { selfSignUp: settings.cognitoSelfSignUp ?? false, removalPolicy: props.removalPolicy });
    }
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'picflow HTTP API (api/openapi.json)',
      createDefaultStage: false,
      defaultAuthorizer: this.users?.authorizer ?? authorizerFor(settings),
      // Browsers on other origins are refused unless configured; preflights are answered by API Gateway.
      ...(settings.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...settings.corsOrigins],
              allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.PATCH, apigw.CorsHttpMethod.DELETE],
              allowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    for (const route of API_ROUTES) {
      const { function: fn } = this.functions[route.fn];
      this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method],
        integration: new HttpLambdaIntegration(`${route.fn}${route.method}${route.path.replace(/[^A-Za-z]/g, '')}`, fn, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        }),
      });
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.throttleRate, burstLimit: settings.throttleBurst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    this.deletedRule = new events.Rule(this, 'ObjectDeletedRule', {
      description: `picflow: clean up after an upload under ${props.prefixes.upload} is deleted directly in S3`,
      eventPattern: toCdkEventPattern(uploadDeletedEventPattern(props.bucket.bucketName, props.prefixes.upload)),
      targets: [
        new targets.LambdaFunction(this.functions.ObjectDeleted.function, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });
  }

  /** The API's URL (the $default stage). */
  get url(): string {
    return this.stage.url;
  }

  private apiFunction(
    name: string,
    profile: ApiFunctionProfile,
    apiDir: string,
    environment: Record<string, string>,
    props: PicflowApiProps,
  ): PicflowApiFunction {
    const scope = new Construct(this, name);
    const logGroup = new logs.LogGroup(scope, 'LogGroup', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `picflow API ${profile.description}`,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(scope, 'Function', {
      entry: join(apiDir, profile.folder, 'handler.ts'),
      handler: 'handler',
      description: `picflow API: ${profile.description}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture,
      memorySize: 256,
      // API Gateway gives up on an integration after 30 s: the function stops first and answers nothing late.
      timeout: Duration.seconds(25),
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment,
      projectRoot: PACKAGE_ROOT,
      depsLockFilePath: lockFileOf(PACKAGE_ROOT),
      bundling: bundlingFor({ memorySize: 256, usesSharp: false }, props.architecture),
    });
    grantApiAccess(profile, role, props);
    acknowledgeApiFindings(name, profile, role, fn, props);
    return { function: fn, role, logGroup };
  }
}

function authorizerFor(settings: PicflowApiSettings): apigw.IHttpRouteAuthorizer {
  if (settings.auth === 'jwt') {
    if (!settings.jwtIssuer || !settings.jwtAudience?.length) throw new Error('PicflowApi: auth "jwt" needs jwtIssuer and jwtAudience');
    return new HttpJwtAuthorizer('JwtAuthorizer', settings.jwtIssuer, { jwtAudience: [...settings.jwtAudience] });
  }
  return new HttpIamAuthorizer();
}

/** The object ARNs of the areas' prefixes. */
function objectArns(props: PicflowApiProps, areas: readonly ObjectArea[]): string[] {
  return areas.map((area) => props.bucket.arnForObjects(`${props.prefixes[area]}*`));
}

/** Each query index's ARN, by name: never the table, never index/*. */
function indexArns(table: dynamodb.ITable): string[] {
  return QUERY_INDEXES.map((index) => `${table.tableArn}/index/${index.name}`);
}

function grantApiAccess(profile: ApiFunctionProfile, role: iam.Role, props: PicflowApiProps): void {
  if (profile.tableActions?.length) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...profile.tableActions], resources: [props.table.tableArn] }));
  }
  if (profile.collection?.length && props.faceCollection) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...profile.collection], resources: [props.faceCollection.arn] }));
  }
  if (profile.queryIndexes) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns(props.table) }));
  }
  for (const { actions, areas } of profile.objects ?? []) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: objectArns(props, areas) }));
  }
}

function acknowledgeApiFindings(
  name: string,
  profile: ApiFunctionProfile,
  role: iam.Role,
  fn: lambda.Function,
  props: PicflowApiProps,
): void {
  acknowledgeWildcardResources(role, ['*'], `API ${name}: ${XRAY_WILDCARD}`);
  const areas = [...new Set((profile.objects ?? []).flatMap((o) => o.areas))];
  if (areas.length > 0) {
    const prefixList = areas.map((a) => props.prefixes[a]).join(', ');
    acknowledgeWildcardResources(
      role,
      objectArns(props, areas),
      `API ${name}: object keys are only known at run time (one per upload), so access is scoped to the objects under ` +
        `picflow's own prefixes (${prefixList}) of this one bucket, with exact actions, never to the whole bucket.`,
    );
  }
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "nodejs22.x is the project's chosen runtime for every function (an active LTS, supported by Lambda until 2027), the same as the " +
      'task functions; moving to nodejs24.x is a deliberate change made after running the tests on Node 24.',
  });
}
