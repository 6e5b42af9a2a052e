/**
 * ImagePipeline as another app uses it: on an imported bucket and on a new one, with several upload
 * prefixes, given tables and queues, and the synth-time errors that say what to change.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ImagePipeline, type ImagePipelineProps } from '../../infra';
import { PicflowStorage } from '../../infra/constructs/storage';
import { grants, logicalIdOf, newApp, roleStatements } from './helpers';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** A stack holding one ImagePipeline built by `props` (which may create resources in the stack first). */
function pipelineIn(props: (stack: Stack) => ImagePipelineProps = () => ({})) {
  const app = newApp();
  const stack = new Stack(app, 'Consumer', { env: ENV });
  const pipeline = new ImagePipeline(stack, 'Picflow', props(stack));
  return { app, stack, pipeline, template: () => Template.fromStack(stack) };
}

function grantsOf(stack: Stack, template: Template, pipeline: ImagePipeline, state: string): string[] {
  const task = pipeline.pipeline.taskFunctions.find((f) => f.task.state === state)!;
  return grants(roleStatements(template, logicalIdOf(stack, task.role)));
}

const imported = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Photos', 'my-photos');
const TWO_PREFIXES = { upload: ['camera/2024/', 'camera/2025/'], thumbnail: 'picflow/thumbs/' };

describe('ImagePipeline on an imported bucket', () => {
  it('starts on objects under any of its upload prefixes, and grants reads on exactly those', () => {
    // Prepare
    const { stack, pipeline, template: build } = pipelineIn((s) => ({ bucket: imported(s), prefixes: TWO_PREFIXES }));

    // Act
    const template = build();

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['Object Created'],
        detail: { bucket: { name: ['my-photos'] }, object: { key: [{ prefix: 'camera/2024/' }, { prefix: 'camera/2025/' }] } },
      },
    });
    expect(grantsOf(stack, template, pipeline, 'ValidateImage').filter((g) => g.includes(':s3:'))).toEqual([
      's3:GetObject arn:aws:s3:::my-photos/camera/2024/*',
      's3:GetObject arn:aws:s3:::my-photos/camera/2025/*',
      's3:GetObjectVersion arn:aws:s3:::my-photos/camera/2024/*',
      's3:GetObjectVersion arn:aws:s3:::my-photos/camera/2025/*',
      's3:ListBucket arn:aws:s3:::my-photos',
      's3:PutObject arn:aws:s3:::my-photos/normalized/*',
    ]);
    expect(grantsOf(stack, template, pipeline, 'CreateThumbnails')).toContain('s3:PutObject arn:aws:s3:::my-photos/picflow/thumbs/*');
    expect(pipeline.prefixes.upload).toBe('camera/');
  });

  it('creates no bucket and changes none: it outputs the command that turns EventBridge on and keeps other notifications', () => {
    // Prepare
    const { pipeline, template: build } = pipelineIn((s) => ({ bucket: imported(s) }));

    // Act
    const template = build();

    // Assess
    expect(template.findResources('AWS::S3::Bucket')).toEqual({});
    expect(template.findResources('Custom::S3BucketNotifications')).toEqual({});
    expect(pipeline.enableEventBridgeCommand).toBe(
      "(aws s3api get-bucket-notification-configuration --bucket my-photos --output json; echo '{}') | " +
        "jq -s 'add + {EventBridgeConfiguration: {}}' | " +
        'aws s3api put-bucket-notification-configuration --bucket my-photos --notification-configuration file:///dev/stdin',
    );
    template.hasOutput('*', { Value: pipeline.enableEventBridgeCommand });
  });

  it('has no unacknowledged cdk-nag finding, with several prefixes', () => {
    // Prepare
    const { app } = pipelineIn((s) => ({ bucket: imported(s), prefixes: TWO_PREFIXES }));

    // Act
    const found = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);

    // Assess
    expect(found).toEqual([]);
  });
});

describe('ImagePipeline on a bucket of its own app', () => {
  it('without a bucket: creates one with EventBridge delivery on (CloudFormation property, no custom resource), and a table', () => {
    // Prepare
    const { pipeline, template: build } = pipelineIn();

    // Act
    const template = build();

    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    expect(template.findResources('Custom::S3BucketNotifications')).toEqual({});
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(pipeline.enableEventBridgeCommand).toBeUndefined();
    expect(pipeline.api).toBeUndefined();
  });

  it('with an s3.Bucket created elsewhere in the app: switches its EventBridge delivery on', () => {
    // Prepare
    const { template: build } = pipelineIn((s) => ({ bucket: new s3.Bucket(s, 'Mine', { enforceSSL: true }) }));

    // Act
    const template = build();

    // Assess
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
    template.resourceCountIs('AWS::S3::Bucket', 1);
  });

  it('uses a given table and dead-letter queue instead of creating them', () => {
    // Prepare
    const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:existing-dlq';
    const { pipeline, template: build } = pipelineIn((s) => ({
      table: new PicflowStorage(s, 'Existing', { createBucket: false }).table,
      deadLetterQueue: sqs.Queue.fromQueueArn(s, 'Dlq', queueArn),
    }));

    // Act
    const template = build();

    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(pipeline.deadLetterQueue.queueArn).toBe(queueArn);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sqs:SendMessage', Resource: queueArn })]) },
    });
  });
});

describe('ImagePipeline props are validated at synth, saying what to change', () => {
  const problemsOf = (props: (stack: Stack) => ImagePipelineProps) => {
    try {
      pipelineIn(props);
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  };

  it('an upload prefix containing the thumbnail prefix', () => {
    expect(problemsOf(() => ({ prefixes: { upload: 'photos/', thumbnail: 'photos/thumbs/' } }))).toContain(
      'prefixes.upload "photos/" and prefixes.thumbnail "photos/thumbs/" overlap: every prefix needs its own folder ' +
        '(objects picflow writes under the upload prefix would start the pipeline again)',
    );
  });

  it('several upload prefixes: a derived prefix inside their parent folder, no parent folder, one inside another', () => {
    expect(problemsOf(() => ({ prefixes: { upload: ['photos/a/', 'photos/b/'], thumbnail: 'photos/thumbs/' } }))).toContain(
      'prefixes.upload "photos/" (the parent of photos/a/, photos/b/) and prefixes.thumbnail "photos/thumbs/" overlap',
    );
    expect(problemsOf(() => ({ prefixes: { upload: ['photos/', 'scans/'] } }))).toContain(
      '"photos/", "scans/" share no parent folder: derived objects are named after the key below a common folder',
    );
    expect(problemsOf(() => ({ prefixes: { upload: ['photos/', 'photos/2024/'] } }))).toContain(
      'prefixes.upload: "photos/2024/" is inside "photos/": give only "photos/"',
    );
    expect(problemsOf(() => ({ prefixes: { upload: [] } }))).toContain('prefixes.upload: give at least one upload prefix');
  });

  it('the HTTP API with several upload prefixes', () => {
    expect(problemsOf(() => ({ prefixes: TWO_PREFIXES, api: {} }))).toContain(
      'api: the HTTP API stores its uploads under one prefix, and 2 upload prefixes are given (camera/2024/, camera/2025/): ' +
        'pass one upload prefix, or api: false',
    );
  });

  it('a table of the app without picflow key schema or indexes: says which', () => {
    // Prepare
    const wrongKey = (s: Stack) => new dynamodb.Table(s, 'Wrong', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const noIndexes = (s: Stack) =>
      new dynamodb.Table(s, 'Bare', { partitionKey: { name: 'imageId', type: dynamodb.AttributeType.STRING } });

    // Act
    const keyProblems = problemsOf((s) => ({ table: wrongKey(s) }));
    const indexProblems = problemsOf((s) => ({ table: noIndexes(s) }));

    // Assess
    expect(keyProblems).toContain('table: picflow needs partition key "imageId" (string) and no sort key; this table has "pk" (S)');
    expect(indexProblems).not.toContain('partition key "imageId" (string) and no sort key');
    expect(indexProblems).toMatch(
      /table: missing global secondary index "byStatus" \(partition key "listedStatus", sort key "updatedAt", strings\)/,
    );
    expect(indexProblems).toMatch(/missing global secondary index "byStatusTime"/);
  });

  it("accepts a table made by picflow's own definition", () => {
    expect(problemsOf((s) => ({ table: new PicflowStorage(s, 'Existing', { createBucket: false }).table }))).toBe('no error');
  });
});
