/**
 * The stateful resources and what watches them: the images bucket, the access-log bucket, the table,
 * the dead-letter queue, the alarms (with and without email) and the stack outputs.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { RemovalPolicy } from 'aws-cdk-lib';
import { imageTableDefinition, PARTITION_KEY, STATUS_INDEX } from '../../tasks/shared/image-table';
import { logicalIdOf, synthPicflow, type SynthesizedStack } from './helpers';

const BLOCK_ALL = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };

/** The Deny-without-TLS statement `enforceSSL` adds to a resource policy. */
function denyInsecureTransport(action: string) {
  return Match.objectLike({ Effect: 'Deny', Action: action, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
}

describe('default stack resources', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthPicflow();
  });

  it('images bucket: public access blocked, SSE-S3, EventBridge notifications, access logs, no notification custom resource', () => {
    // Prepare
    const logsBucketId = logicalIdOf(synth.stack, synth.stack.storage.accessLogsBucket);

    // Act / Assess
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: BLOCK_ALL,
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsBucketId } },
    });
    synth.template.resourceCountIs('Custom::S3BucketNotifications', 0);
    expect(synth.template.toJSON().Resources[logicalIdOf(synth.stack, synth.stack.storage.bucket)].DeletionPolicy).toBe('Retain');
  });

  it('both buckets refuse requests without TLS and block public access', () => {
    // Prepare
    const buckets = [synth.stack.storage.bucket, synth.stack.storage.accessLogsBucket].map((b) => logicalIdOf(synth.stack, b));

    // Act / Assess
    for (const bucketId of buckets) {
      synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: { Statement: Match.arrayWith([denyInsecureTransport('s3:*')]) },
      });
      synth.template.hasResourceProperties('AWS::S3::Bucket', Match.objectLike({ PublicAccessBlockConfiguration: BLOCK_ALL }));
    }
  });

  it('table: on demand, point-in-time recovery, AWS managed encryption, imageId key, retained', () => {
    // Prepare / Act / Assess
    synth.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key: KMS with the AWS managed aws/dynamodb key (DEFAULT would omit SSESpecification).
        SSESpecification: Match.exact({ SSEEnabled: true }),
        KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
      }),
    });
  });

  it('table: exactly the indexes and attribute definitions the local table is created with, the sparse byStatus among them', () => {
    // Prepare
    const local = imageTableDefinition('images');
    const tables = Object.values(synth.template.findResources('AWS::DynamoDB::Table'));

    // Act
    const deployed = tables[0].Properties as { GlobalSecondaryIndexes: unknown[]; AttributeDefinitions: { AttributeName: string }[] };

    // Assess
    expect(tables).toHaveLength(1);
    expect(deployed.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName));
    expect([...deployed.AttributeDefinitions].sort(byName)).toEqual([...(local.AttributeDefinitions ?? [])].sort(byName));
    // Keyed on listedStatus, which only FAILED and PARTIAL items carry: SUCCEEDED writes never reach it.
    expect(deployed.GlobalSecondaryIndexes).toContainEqual({
      IndexName: STATUS_INDEX.name,
      KeySchema: [
        { AttributeName: 'listedStatus', KeyType: 'HASH' },
        { AttributeName: 'updatedAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['statusReason', 'executionId'] },
    });
  });

  it('face collection: one AWS::Rekognition::Collection named after the stack, retained, its id and ARN reaching the functions', () => {
    // Prepare
    const collection = logicalIdOf(synth.stack, synth.stack.imagePipeline.faceCollection!);
    const functions = Object.values(
      synth.template.toJSON().Resources as Record<
        string,
        { Type: string; Properties: { Environment?: { Variables?: Record<string, unknown> } } }
      >,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.TABLE_NAME);

    // Act / Assess
    synth.template.resourceCountIs('AWS::Rekognition::Collection', 1);
    synth.template.hasResource('AWS::Rekognition::Collection', {
      DeletionPolicy: 'Retain',
      Properties: { CollectionId: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-faces']] } },
    });
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties.Environment?.Variables).toMatchObject({
        FACE_COLLECTION_ID: { Ref: collection },
        FACE_INDEXING: 'true',
        PERSON_MATCH_THRESHOLD: '80',
        CELEBRITIES: 'false',
      });
    }
  });

  it('dead-letter queue: SQS-managed SSE, 14 days retention, TLS only', () => {
    // Prepare
    const queueId = logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue);

    // Act / Assess
    synth.template.resourceCountIs('AWS::SQS::Queue', 1);
    synth.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([denyInsecureTransport('sqs:*')]) },
    });
  });

  it('alarms on a failed, timed-out or aborted execution and on any dead-letter message, without actions by default', () => {
    // Prepare
    const stateMachineId = logicalIdOf(synth.stack, synth.stack.pipeline.stateMachine);
    const queueId = logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue);

    // Act / Assess
    synth.template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    const executionMetric = (name: string) =>
      Match.objectLike({
        MetricStat: Match.objectLike({
          Metric: { Namespace: 'AWS/States', MetricName: name, Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }] },
          Stat: 'Sum',
        }),
        ReturnData: false,
      });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)' }),
        executionMetric('ExecutionsFailed'),
        executionMetric('ExecutionsTimedOut'),
        executionMetric('ExecutionsAborted'),
      ]),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    synth.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('outputs what a user needs: bucket, upload prefix, table, state machine, queue URL, console link and API URL', () => {
    // Prepare
    const stateMachineId = logicalIdOf(synth.stack, synth.stack.pipeline.stateMachine);

    // Act
    const outputs = synth.template.toJSON().Outputs;

    // Assess
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'ApiUrl',
        'BackfillStateMachineArn',
        'BucketName',
        'DeadLetterQueueUrl',
        // `picflow faces` / `picflow people --stack` find the face collection by it.
        'FaceCollectionId',
        'StateMachineArn',
        'StateMachineConsoleUrl',
        'TableName',
        'UploadPrefix',
      ].sort(),
    );
    expect(outputs.UploadPrefix.Value).toBe('uploads/');
    expect(outputs.BucketName.Value).toEqual({ Ref: logicalIdOf(synth.stack, synth.stack.storage.bucket) });
    expect(outputs.TableName.Value).toEqual({ Ref: logicalIdOf(synth.stack, synth.stack.storage.table) });
    expect(outputs.DeadLetterQueueUrl.Value).toEqual({ Ref: logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue) });
    expect(JSON.stringify(outputs.StateMachineConsoleUrl.Value)).toMatch(
      /console\.aws\.amazon\.com\/states\/home\?region=.*#\/statemachines\/view\//,
    );
    expect(JSON.stringify(outputs.StateMachineConsoleUrl.Value)).toContain(`{"Ref":"${stateMachineId}"}`);
  });
});

describe('stack with alarm email and removalPolicy destroy', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthPicflow({ alarmEmail: 'ops@example.com', removalPolicy: RemovalPolicy.DESTROY });
  });

  it('notifies the email through a TLS-only topic, on alarm and on recovery', () => {
    // Prepare
    const topicId = logicalIdOf(synth.stack, synth.stack.alarms.topic!);

    // Act / Assess
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([denyInsecureTransport('sns:Publish')]) },
    });
    for (const alarm of Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    expect(synth.template.toJSON().Outputs.AlarmTopicArn.Value).toEqual({ Ref: topicId });
  });

  it('deletes the table, queue and log groups, and empties the buckets, with the stack', () => {
    // Prepare
    const resources = synth.template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    const stateful = Object.values(resources).filter((r) =>
      ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup'].includes(r.Type),
    );

    // Act / Assess
    expect(stateful.length).toBeGreaterThan(0);
    for (const resource of stateful) expect(resource.DeletionPolicy).toBe('Delete');
    synth.template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});
