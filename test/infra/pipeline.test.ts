/**
 * The pipeline's wiring: the EventBridge rule and its target, the state machine built from THE
 * definition file with every placeholder substituted, and one correctly configured function per task.
 */
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionTimeoutFor, TASK_PROFILES } from '../../infra/constructs/task-functions';
import { allStates, definitionPlaceholders, readDefinitionText, type AslDefinition } from '../../statemachines/definition';
import { OTHER_SUBSTITUTIONS, TASKS } from '../../statemachines/tasks';
import { parseThumbnailSizes, settingEntries } from '../../tasks/shared/settings';
import { evaluateIntrinsic, logicalIdOf, logicalIdsOfType, synthPicflow, type SynthesizedStack } from './helpers';

describe('EventBridge rule', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthPicflow();
  });

  it('matches Object Created events of this bucket under the upload prefix only', () => {
    // Prepare
    const bucketId = logicalIdOf(synth.stack, synth.stack.storage.bucket);

    // Act
    const rules = synth.template.findResources('AWS::Events::Rule');

    // Assess (the others are the execution-status net's, test/infra/execution-net.test.ts, and the API's clean-up
    // after deletes, test/infra/api.test.ts)
    expect(Object.values(rules)).toHaveLength(3);
    expect(rules[logicalIdOf(synth.stack, synth.stack.pipeline.uploadRule)].Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: bucketId }] },
        object: { key: [{ prefix: 'uploads/' }] },
      },
    });
  });

  it('targets the state machine with its own retry policy and the shared dead-letter queue', () => {
    // Prepare
    const stateMachineId = logicalIdOf(synth.stack, synth.stack.pipeline.stateMachine);
    const queueId = logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue);

    // Act / Assess
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { Ref: stateMachineId },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      ],
    });
  });

  it('lets EventBridge send to the dead-letter queue, for this rule only', () => {
    // Prepare
    const queueId = logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue);
    const ruleId = logicalIdOf(synth.stack, synth.stack.pipeline.uploadRule);

    // Act / Assess
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('follows a custom upload prefix given as props, in the rule and in the tasks', () => {
    // Prepare / Act
    const custom = synthPicflow({ prefixes: { upload: 'incoming/' } });

    // Assess
    custom.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { object: { key: [{ prefix: 'incoming/' }] } } },
      Description: Match.stringLikeRegexp('incoming/'),
    });
    custom.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ UPLOAD_PREFIX: 'incoming/' }) },
    });
  });
});

describe('state machine', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthPicflow();
  });

  it('is a STANDARD state machine logging errors without execution data, and tracing', () => {
    // Prepare
    const logGroupId = logicalIdOf(synth.stack, synth.stack.pipeline.logGroup);

    // Act / Assess
    // The image pipeline's, and the backfill's (test/infra/backfill.test.ts).
    synth.template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    synth.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ERROR',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      },
      TracingConfiguration: { Enabled: true },
    });
    synth.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^/aws/vendedlogs/states/')])] },
      RetentionInDays: 30,
    });
  });

  it('names its retained log group per stack instance, so the stack deploys again after cdk destroy', () => {
    // Prepare: the same stack deployed, destroyed (the log group is retained) and deployed again gets a new stack ID.
    const name = synth.template.toJSON().Resources[logicalIdOf(synth.stack, synth.stack.pipeline.logGroup)].Properties.LogGroupName;
    const stackId = (uuid: string) => `arn:aws:cloudformation:us-east-1:123456789012:stack/PicflowTest/${uuid}`;

    // Act
    const first = evaluateIntrinsic(name, { 'AWS::StackId': stackId('0f1e2d3c-aaaa-bbbb-cccc-000000000001') });
    const second = evaluateIntrinsic(name, { 'AWS::StackId': stackId('0f1e2d3c-aaaa-bbbb-cccc-000000000002') });

    // Assess
    expect(first).toBe('/aws/vendedlogs/states/PicflowTest-Pipeline-0f1e2d3c-aaaa-bbbb-cccc-000000000001');
    expect(second).not.toBe(first);
  });

  it('deploys the definition file itself, with every placeholder substituted by a resource of this stack', () => {
    // Prepare: the definition is an S3 asset; find its file in the cloud assembly.
    const props = Object.values(synth.template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties;
    const key: string = props.DefinitionS3Location.Key;
    const artifact = synth.assembly.getStackByName(synth.stack.stackName);
    const assets = JSON.parse(readFileSync(join(synth.assembly.directory, `${artifact.id}.assets.json`), 'utf8'));
    const asset = assets.files[key.replace(/\.json$/, '')];
    const deployedText = readFileSync(join(synth.assembly.directory, asset.source.path), 'utf8');
    const substitutions: Record<string, unknown> = props.DefinitionSubstitutions;

    // Act: substitute the way CloudFormation will, with a marker per placeholder.
    const filled = deployedText.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => `@@${name}@@`);
    const definition = JSON.parse(filled) as AslDefinition;

    // Assess
    expect(props.DefinitionString).toBeUndefined();
    expect(deployedText).toBe(readDefinitionText());
    expect(Object.keys(substitutions).sort()).toEqual(definitionPlaceholders().sort());
    expect(filled).not.toContain('${');
    const functionIds = logicalIdsOfType(synth.template, 'AWS::Lambda::Function');
    const taskStates = allStates(definition).filter(([, state]) => state.Type === 'Task' && state.Resource?.startsWith('@@'));
    expect(taskStates.map(([name]) => name).sort()).toEqual(TASKS.map((t) => t.state).sort());
    for (const [name, state] of taskStates) {
      const placeholder = /^@@(.+)@@$/.exec(state.Resource!)![1];
      const task = TASKS.find((t) => t.state === name)!;
      const fn = synth.stack.pipeline.taskFunctions.find((f) => f.task.state === name)!;
      expect(placeholder).toBe(task.substitution);
      expect(substitutions[placeholder]).toEqual({ 'Fn::GetAtt': [logicalIdOf(synth.stack, fn.function), 'Arn'] });
      expect(functionIds).toContain(logicalIdOf(synth.stack, fn.function));
    }
    for (const other of OTHER_SUBSTITUTIONS) {
      expect(substitutions[other]).toEqual({ Ref: logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue) });
    }
  });
});

describe('task functions', () => {
  let synth: SynthesizedStack;
  let definition: AslDefinition;
  beforeAll(() => {
    synth = synthPicflow();
    definition = JSON.parse(readDefinitionText());
  });

  it('has a profile for every TASKS entry and no profile for anything else', () => {
    // Prepare / Act / Assess
    expect(Object.keys(TASK_PROFILES).sort()).toEqual(TASKS.map((t) => t.state).sort());
    expect(synth.stack.pipeline.taskFunctions.map((f) => f.task.state)).toEqual(TASKS.map((t) => t.state));
    // + the execution-status net's + the HTTP API's (test/infra/api.test.ts) + the backfill's PrepareBackfillItem
    synth.template.resourceCountIs('AWS::Lambda::Function', TASKS.length + 1 + Object.keys(synth.stack.api!.functions).length + 1);
  });

  it.each(TASKS.map((t) => [t.state]))(
    '%s: nodejs22.x on arm64, active tracing, own log group, timeout under the state timeout',
    (state) => {
      // Prepare
      const fn = synth.stack.pipeline.taskFunctions.find((f) => f.task.state === state)!;
      const stateTimeout = allStates(definition).find(([name]) => name === state)![1].TimeoutSeconds as number;
      const profile = TASK_PROFILES[state];

      // Act
      const props = synth.template.toJSON().Resources[logicalIdOf(synth.stack, fn.function)].Properties;

      // Assess
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: profile.memorySize,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(synth.stack, fn.logGroup) } },
        Role: { 'Fn::GetAtt': [logicalIdOf(synth.stack, fn.role), 'Arn'] },
      });
      expect(props.Timeout).toBeLessThan(stateTimeout);
      expect(props.Timeout).toBe(functionTimeoutFor(state, definition).toSeconds());
      expect(props.Description).toMatch(new RegExp(`^picflow ${state}: `));
    },
  );

  it('gives image tasks a full vCPU and the Rekognition and bookkeeping tasks 256 MB', () => {
    // Prepare / Act / Assess
    expect(TASK_PROFILES.ValidateImage.memorySize).toBe(1769);
    expect(TASK_PROFILES.CreateThumbnails.memorySize).toBe(1769);
    for (const state of ['ClaimImage', 'DetectFaces', 'DetectLabelsAndText', 'DetectModerationLabels', 'StoreResult', 'RecordFailure']) {
      expect(TASK_PROFILES[state].memorySize).toBe(256);
    }
    // Only the tasks that decode images ship sharp.
    expect(
      Object.entries(TASK_PROFILES)
        .filter(([, p]) => p.usesSharp)
        .map(([s]) => s)
        .sort(),
    ).toEqual(['CreateThumbnails', 'ValidateImage']);
  });

  it('passes every setting the tasks read, the same for all functions', () => {
    // Prepare
    const tableId = logicalIdOf(synth.stack, synth.stack.storage.table);
    // Every setting of the table with a context key, at its default as the table writes it (the tasks read
    // them all: tasks/shared/settings.ts); the table's name is the app's own.
    const expected = {
      ...Object.fromEntries(settingEntries().flatMap(([, setting]) => (setting.context ? [[setting.env, setting.default]] : []))),
      TABLE_NAME: { Ref: tableId },
      // The face collection's id (its Ref), also the app's own.
      FACE_COLLECTION_ID: { Ref: logicalIdOf(synth.stack, synth.stack.imagePipeline.faceCollection!) },
      POWERTOOLS_SERVICE_NAME: 'picflow',
      NODE_OPTIONS: '--enable-source-maps',
    };
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining(['UPLOAD_PREFIX', 'THUMBNAIL_SIZES', 'MAX_IMAGE_BYTES', 'REKOGNITION_MAX_ATTEMPTS']),
    );

    // Act
    // The API's functions carry these too, and the bucket: test/infra/api.test.ts checks them.
    const apiIds = new Set(Object.values(synth.stack.api!.functions).map((f) => logicalIdOf(synth.stack, f.function)));
    const functions = Object.fromEntries(
      Object.entries(synth.template.findResources('AWS::Lambda::Function')).filter(([id]) => !apiIds.has(id)),
    );

    // Assess (the execution-status net also needs the queue's URL)
    const netId = logicalIdOf(synth.stack, synth.stack.pipeline.executionNet.function);
    const queue = { DEAD_LETTER_QUEUE_URL: { Ref: logicalIdOf(synth.stack, synth.stack.pipeline.deadLetterQueue) } };
    for (const [id, fn] of Object.entries(functions))
      expect(fn.Properties.Environment.Variables).toEqual(id === netId ? { ...expected, ...queue } : expected);
  });

  it('keeps function logs for the configured retention', () => {
    // Prepare / Act
    const groups = synth.stack.pipeline.taskFunctions.map((f) => synth.template.toJSON().Resources[logicalIdOf(synth.stack, f.logGroup)]);

    // Assess
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it('builds for x86_64 and passes task settings when asked', () => {
    // Prepare / Act
    const custom = synthPicflow({
      architecture: Architecture.X86_64,
      taskSettings: { thumbnails: parseThumbnailSizes('256x256:inside'), analyses: ['faces'], minLabelConfidence: 90 },
    });

    // Assess
    const functions = Object.values(custom.template.findResources('AWS::Lambda::Function'));
    for (const fn of functions) {
      expect(fn.Properties.Architectures).toEqual(['x86_64']);
      expect(fn.Properties.Environment.Variables).toMatchObject({
        THUMBNAIL_SIZES: '256x256:inside',
        ANALYSES: 'faces',
        MIN_LABEL_CONFIDENCE: '90',
      });
    }
  });

  it('refuses invalid props with the reason', () => {
    // Prepare / Act / Assess
    const overlap = /prefixes.upload "analysis\/" and prefixes.analysis "analysis\/" overlap/;
    expect(() => synthPicflow({ prefixes: { upload: 'analysis/' } })).toThrow(overlap);
    expect(() => synthPicflow({ taskSettings: { thumbnails: [{ name: 'big', width: 5000, height: 5000, fit: 'inside' }] } })).toThrow(
      /THUMBNAIL_SIZES: "5000x5000:inside" must be between 1 and 4096 pixels/,
    );
    expect(() => synthPicflow({ taskSettings: { maxLabels: 2.5 } })).toThrow(/MAX_LABELS: "2.5" is not a whole number/);
  });

  it('derives each function timeout from the state timeout, and demands one', () => {
    // Prepare
    const withoutTimeout: AslDefinition = { StartAt: 'X', States: { X: { Type: 'Task', Resource: 'arn', End: true } } };

    // Act / Assess
    expect(functionTimeoutFor('ClaimImage', definition)).toEqual(Duration.seconds(54));
    expect(functionTimeoutFor('ValidateImage', definition)).toEqual(Duration.seconds(270));
    expect(() => functionTimeoutFor('X', withoutTimeout)).toThrow(/needs a TimeoutSeconds/);
  });
});
