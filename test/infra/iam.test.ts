/**
 * Least privilege, statement by statement: every role's effective grants, the exact actions and
 * resources of each task, and "*" only where the service offers nothing narrower.
 */
import { API_FUNCTIONS } from '../../infra/constructs/api';
import { TASKS } from '../../statemachines/tasks';
import { grants, logicalIdOf, logicalIdsOfType, roleStatements, synthPicflow, type SynthesizedStack, asArray } from './helpers';

/** Actions whose service supports no resource-level permission: "*" is their only valid resource. */
const RESOURCELESS_ACTIONS = new Set([
  'rekognition:DetectFaces',
  'rekognition:RecognizeCelebrities',
  'rekognition:DetectLabels',
  'rekognition:DetectText',
  'rekognition:DetectModerationLabels',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // Step Functions' vended-log delivery to CloudWatch Logs.
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

describe('IAM', () => {
  let synth: SynthesizedStack;
  let ids: { bucket: string; table: string; queue: string; stateMachine: string; faceCollection: string };
  beforeAll(() => {
    synth = synthPicflow();
    ids = {
      bucket: logicalIdOf(synth.stack, synth.stack.storage.bucket),
      table: logicalIdOf(synth.stack, synth.stack.storage.table),
      queue: logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue),
      stateMachine: logicalIdOf(synth.stack, synth.stack.pipeline.stateMachine),
      faceCollection: logicalIdOf(synth.stack, synth.stack.imagePipeline.faceCollection!),
    };
  });

  it('no role has a wildcard action, a managed policy, or "*" resources beyond resource-less service actions', () => {
    // Prepare
    const roles = logicalIdsOfType(synth.template, 'AWS::IAM::Role');

    // Act
    const statements = roles.flatMap((role) => roleStatements(synth.template, role).map((s) => ({ role, ...s })));

    // Assess
    // One per task, the execution-status net's, the state machine's, EventBridge's, one per API function, the backfill's two.
    expect(roles.length).toBe(TASKS.length + 3 + Object.keys(API_FUNCTIONS).length + 2);
    for (const role of roles) {
      expect(synth.template.toJSON().Resources[role].Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
      if (asArray(statement.Resource).includes('*')) {
        for (const action of asArray(statement.Action))
          expect([statement.role, action, RESOURCELESS_ACTIONS.has(action)]).toEqual([statement.role, action, true]);
      }
    }
  });

  it.each(TASKS.map((t) => [t.state]))('%s has exactly the grants it uses', (state) => {
    // Prepare
    const fn = synth.stack.pipeline.taskFunctions.find((f) => f.task.state === state)!;
    const logGroup = `<${logicalIdOf(synth.stack, fn.logGroup)}.Arn>`;
    const table = `<${ids.table}.Arn>`;
    const collection = `<${ids.faceCollection}.Arn>`;
    const deleteFaces = [`rekognition:DeleteFaces ${collection}`, `rekognition:DisassociateFaces ${collection}`];
    const objects = (prefix: string) => `<${ids.bucket}.Arn>/${prefix}*`;
    const read = (...prefixes: string[]) => prefixes.flatMap((p) => [`s3:GetObject ${objects(p)}`, `s3:GetObjectVersion ${objects(p)}`]);
    const base = [
      `logs:CreateLogStream ${logGroup}`,
      `logs:PutLogEvents ${logGroup}`,
      'xray:PutTelemetryRecords *',
      'xray:PutTraceSegments *',
    ];
    const expected: Record<string, string[]> = {
      ClaimImage: [`dynamodb:BatchWriteItem ${table}`, `dynamodb:GetItem ${table}`, `dynamodb:UpdateItem ${table}`],
      ValidateImage: [...read('uploads/'), `s3:PutObject ${objects('normalized/')}`, `s3:ListBucket <${ids.bucket}.Arn>`],
      CreateThumbnails: [...read('uploads/', 'normalized/'), `s3:PutObject ${objects('thumbnails/')}`],
      // Face indexing on (the default): IndexFaces replaces DetectFaces, every collection action on the collection's ARN.
      DetectFaces: [
        `rekognition:IndexFaces ${collection}`,
        `rekognition:SearchUsers ${collection}`,
        ...deleteFaces,
        `dynamodb:PutItem ${table}`,
        `dynamodb:UpdateItem ${table}`,
        `dynamodb:BatchGetItem ${table}`,
        ...read('uploads/', 'normalized/'),
        `s3:PutObject ${objects('analysis/')}`,
      ],
      DetectLabelsAndText: [
        'rekognition:DetectLabels *',
        'rekognition:DetectText *',
        ...read('uploads/', 'normalized/'),
        `s3:PutObject ${objects('analysis/')}`,
      ],
      DetectModerationLabels: [
        'rekognition:DetectModerationLabels *',
        ...read('uploads/', 'normalized/'),
        `s3:PutObject ${objects('analysis/')}`,
      ],
      // Both write the item with a conditional UpdateItem and the label entries with BatchWriteItem (syncLabelEntries);
      // no PutItem. Both delete the faces a stored result no longer lists (tasks/shared/faces.ts syncFaceIndex).
      // StoreResult reads the item when its write is refused, and removes its own objects when the
      // image was deleted during the analysis.
      StoreResult: [
        `dynamodb:BatchWriteItem ${table}`,
        `dynamodb:GetItem ${table}`,
        `dynamodb:UpdateItem ${table}`,
        `s3:DeleteObject ${objects('analysis/')}`,
        `s3:DeleteObject ${objects('normalized/')}`,
        `s3:DeleteObject ${objects('thumbnails/')}`,
        ...deleteFaces,
      ],
      RecordFailure: [`dynamodb:BatchWriteItem ${table}`, `dynamodb:GetItem ${table}`, `dynamodb:UpdateItem ${table}`, ...deleteFaces],
    };

    // Act
    const actual = grants(roleStatements(synth.template, logicalIdOf(synth.stack, fn.role)));

    // Assess
    expect(actual).toEqual([...base, ...expected[state]].sort());
  });

  it('the state machine may invoke exactly the task functions, send to exactly the dead-letter queue, log and trace', () => {
    // Prepare
    const role = logicalIdOf(synth.stack, synth.stack.pipeline.stateMachine.role);
    const functions = synth.stack.pipeline.taskFunctions.map((f) => `lambda:InvokeFunction <${logicalIdOf(synth.stack, f.function)}.Arn>`);
    // What Step Functions needs to deliver its logs to CloudWatch Logs and to trace with X-Ray.
    const logDelivery = [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
    ];
    const tracing = ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

    // Act
    const actual = grants(roleStatements(synth.template, role));

    // Assess
    expect(actual).toEqual(
      [...functions, `sqs:SendMessage <${ids.queue}.Arn>`, ...[...logDelivery, ...tracing].map((action) => `${action} *`)].sort(),
    );
  });

  it('EventBridge may only start executions of this state machine', () => {
    // Prepare
    const roles = logicalIdsOfType(synth.template, 'AWS::IAM::Role').filter((id) =>
      JSON.stringify(synth.template.toJSON().Resources[id].Properties.AssumeRolePolicyDocument).includes('events.amazonaws.com'),
    );

    // Act
    const actual = roles.flatMap((role) => grants(roleStatements(synth.template, role)));

    // Assess
    expect(roles).toHaveLength(1);
    expect(actual).toEqual([`states:StartExecution <${ids.stateMachine}>`]);
  });

  it('grants DetectFaces on "*" and no collection action to the faces task with faceIndexing off; clean-up keeps DeleteFaces', () => {
    // Prepare / Act
    const off = synthPicflow({ taskSettings: { faceIndexing: false } });
    const grantsOf = (state: string) => {
      const fn = off.stack.pipeline.taskFunctions.find((f) => f.task.state === state)!;
      return grants(roleStatements(off.template, logicalIdOf(off.stack, fn.role))).filter((g) => g.startsWith('rekognition:'));
    };
    const collection = `<${logicalIdOf(off.stack, off.stack.imagePipeline.faceCollection!)}.Arn>`;

    // Assess
    expect(grantsOf('DetectFaces')).toEqual(['rekognition:DetectFaces *']);
    // Faces indexed while it was on must still go with their photo's next version.
    expect(grantsOf('StoreResult')).toEqual([`rekognition:DeleteFaces ${collection}`, `rekognition:DisassociateFaces ${collection}`]);
  });

  it('grants RecognizeCelebrities (resource "*": it has no resource type) only with celebrities on', () => {
    // Prepare / Act
    const on = synthPicflow({ taskSettings: { celebrities: true } });
    const fn = on.stack.pipeline.taskFunctions.find((f) => f.task.state === 'DetectFaces')!;

    // Assess
    expect(grants(roleStatements(on.template, logicalIdOf(on.stack, fn.role)))).toContain('rekognition:RecognizeCelebrities *');
  });

  it('drops the Rekognition permission of analyses that are switched off', () => {
    // Prepare / Act
    const facesOnly = synthPicflow({ taskSettings: { analyses: ['faces'] } });
    const grantsOf = (state: string) => {
      const fn = facesOnly.stack.pipeline.taskFunctions.find((f) => f.task.state === state)!;
      return grants(roleStatements(facesOnly.template, logicalIdOf(facesOnly.stack, fn.role)));
    };

    // Assess
    expect(grantsOf('DetectFaces')).toContain(
      `rekognition:IndexFaces <${logicalIdOf(facesOnly.stack, facesOnly.stack.imagePipeline.faceCollection!)}.Arn>`,
    );
    expect(grantsOf('DetectLabelsAndText').filter((g) => g.startsWith('rekognition:'))).toEqual([]);
    expect(grantsOf('DetectModerationLabels').filter((g) => g.startsWith('rekognition:'))).toEqual([]);
  });
});
