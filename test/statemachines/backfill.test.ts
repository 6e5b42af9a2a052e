// The backfill definition: valid ASL, and its item processor executed on the local engine with the real
// PrepareBackfillItem task and THE pipeline (real ClaimImage, StoreResult, RecordFailure; stub analyses)
// behind its StartExecution.sync:2 state, against dynalite. The Distributed Map's ItemReader is not run
// here (the local engine has no S3 ItemReader): the listing is tested in test/local/backfill.
import aslValidator from 'asl-validator';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LocalStateMachine } from '../../local/engine/local-state-machine';
import {
  BACKFILL_ITEM_TASK,
  backfillItemProcessor,
  backfillPlaceholders,
  loadBackfillDefinition,
  readBackfillText,
  START_PIPELINE_RESOURCE,
} from '../../statemachines/backfill';
import { handler as prepareBackfillItem } from '../../tasks/backfill-item/handler';
import { startImageTable, type ImageTableOnDynalite } from '../support/dynalite';
import { objectCreatedEvent } from '../support/events';
import { bookkeepingPipeline } from './support/bookkeeping-pipeline';

const TABLE = 'picflow-backfill';
const BUCKET = 'picflow-images';
const SUBSTITUTIONS = {
  BucketName: BUCKET,
  Region: 'us-east-1',
  Account: '123456789012',
  BackfillConcurrency: '40',
  BackfillToleratedFailurePercentage: '5',
  BackfillResultsPrefix: 'analysis/backfill/',
  ImagePipelineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:picflow',
  BackfillItemFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:backfill-item',
};

describe('Backfill definition: statemachines/backfill.asl.json', () => {
  it('is valid Amazon States Language (asl-validator), in JSONPath', () => {
    // Act
    const result = aslValidator(loadBackfillDefinition(SUBSTITUTIONS) as never);

    // Assess
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
    expect(readBackfillText()).not.toMatch(/"QueryLanguage"|"Arguments"|"Assign"|\{%/);
  });

  it('is a Distributed Map over ListObjectsV2 whose concurrency and tolerated failures come from its settings', () => {
    // Act
    const definition = loadBackfillDefinition(SUBSTITUTIONS);
    const map = definition.States.BackfillObjects as unknown as {
      ItemReader: { Resource: string };
      ItemProcessor: { ProcessorConfig: unknown };
      MaxConcurrencyPath: string;
      ToleratedFailurePercentagePath: string;
    };

    // Assess
    expect(backfillPlaceholders()).toEqual(Object.keys(SUBSTITUTIONS).sort());
    expect(map.ItemReader.Resource).toBe('arn:aws:states:::s3:listObjectsV2');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.MaxConcurrencyPath).toBe('$.maxConcurrency');
    expect(map.ToleratedFailurePercentagePath).toBe('$.toleratedFailurePercentage');
    expect((definition.States.ReadSettings.Parameters as Record<string, string>)['maxConcurrency.$']).toBe("States.StringToJson('40')");
  });
});

describe('Backfill item processor on the local engine (real tasks, dynalite)', () => {
  let dynamo: ImageTableOnDynalite;
  let documents: DynamoDBDocumentClient;
  let counter = 0;
  const pipeline = bookkeepingPipeline();
  /** The pipeline executions the item processor started (their outcomes). */
  const started: { status: string; skipped: boolean }[] = [];
  const runPipeline = async (event: unknown) => {
    const outcome = await pipeline.execute(event, { name: `pipeline-${++counter}` });
    const skipped = outcome.events.some((e) => (e as { state?: { name: string } }).state?.name === 'AlreadyProcessed');
    started.push({ status: outcome.status, skipped });
    return outcome;
  };
  const processor = new LocalStateMachine({
    definition: backfillItemProcessor(loadBackfillDefinition(SUBSTITUTIONS)),
    handlers: { [BACKFILL_ITEM_TASK.state]: prepareBackfillItem as never },
    integrations: {
      [START_PIPELINE_RESOURCE]: async (input) => {
        const outcome = await runPipeline((input as { Input: unknown }).Input);
        if (outcome.status !== 'SUCCEEDED') throw Object.assign(new Error(outcome.cause), { name: 'States.TaskFailed' });
        return { ExecutionArn: outcome.executionArn, Status: outcome.status };
      },
    },
    substitutions: {},
  });
  const listed = (key: string, etag: string, lastModified: string, reanalyse = false) => ({
    bucket: BUCKET,
    region: 'us-east-1',
    account: '123456789012',
    key,
    etag: `"${etag}"`,
    size: 1000,
    lastModified,
    reanalyse,
  });
  const backfill = async (item: ReturnType<typeof listed>) => {
    started.length = 0;
    const outcome = await processor.execute(item, { name: `item-${++counter}` });
    return { outcome, output: outcome.output as { decision: string; reason?: string }, started: [...started] };
  };
  const itemOf = async (key: string) =>
    (await documents.send(new GetCommand({ TableName: TABLE, Key: { imageId: `${BUCKET}/${key}` }, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    dynamo = await startImageTable(TABLE);
    documents = dynamo.documents;
  });

  afterAll(() => dynamo.stop());

  it('starts the pipeline for an object without an item, then skips it as current on a second run', async () => {
    // Act
    const first = await backfill(listed('uploads/new.png', 'etag-new', '2026-11-01T10:00:00.000Z'));
    const second = await backfill(listed('uploads/new.png', 'etag-new', '2026-11-01T10:00:00.000Z'));

    // Assess
    expect(first.output).toMatchObject({ decision: 'START', status: 'SUCCEEDED' });
    expect(first.started).toEqual([{ status: 'SUCCEEDED', skipped: false }]);
    expect(await itemOf('uploads/new.png')).toMatchObject({ status: 'SUCCEEDED', etag: 'etag-new', uploadedAt: '2026-11-01T10:00:00Z' });
    expect(second.output).toEqual({ decision: 'SKIP', reason: 'current item (same ETag, SUCCEEDED)' });
    expect(second.started).toEqual([]);
  });

  it('re-analyses a current item with reanalyse, and a real upload made afterwards still wins', async () => {
    // Prepare: the image analysed from its real upload event
    const upload = objectCreatedEvent({ bucket: BUCKET, key: 'uploads/again.png', etag: 'etag-1', sequencer: '0062E99A88DC407460' });
    await runPipeline(upload);

    // Act
    const again = await backfill(listed('uploads/again.png', 'etag-1', '2026-11-23T18:00:00.000Z', true));
    const later = objectCreatedEvent({ bucket: BUCKET, key: 'uploads/again.png', etag: 'etag-2', sequencer: '0062E99A88DC407461' });
    const live = await runPipeline(later);

    // Assess: both analysed (the claim let each through), and the item is the later upload's
    expect(again.started).toEqual([{ status: 'SUCCEEDED', skipped: false }]);
    expect(live.events.some((e) => (e as { state?: { name: string } }).state?.name === 'AlreadyProcessed')).toBe(false);
    expect(await itemOf('uploads/again.png')).toMatchObject({ status: 'SUCCEEDED', etag: 'etag-2', sequencer: '0062E99A88DC407461' });
  });

  it('an upload during the backfill is analysed once, for its latest version, whichever claims first', async () => {
    // Prepare: the listing saw version 1 (no item); version 2 is uploaded and its event is handled first
    const upload = objectCreatedEvent({ bucket: BUCKET, key: 'uploads/race.png', etag: 'etag-v2', sequencer: '0062E99A88DC4074A0' });
    await runPipeline(upload);

    // Act: the backfill reaches the stale listing entry (version 1, listed earlier)
    const stale = await backfill(listed('uploads/race.png', 'etag-v1', '2026-11-23T17:00:00.000Z'));

    // Assess
    expect(stale.output.decision).toBe('SKIP');
    expect(stale.output.reason).toMatch(/at least as new/);
    expect(await itemOf('uploads/race.png')).toMatchObject({ status: 'SUCCEEDED', etag: 'etag-v2' });
  });

  it("the backfill's event loses to a real upload event that claims after it started", async () => {
    // Prepare: the backfill's event for version 1 (no item yet) is built, then version 2's event claims first
    const decision = (await prepareBackfillItem(listed('uploads/race2.png', 'etag-v1', '2026-11-23T17:00:00.000Z'))) as {
      decision: string;
      event: unknown;
    };
    const upload = objectCreatedEvent({ bucket: BUCKET, key: 'uploads/race2.png', etag: 'etag-v2', sequencer: '0062E99A88DC4074B0' });
    await runPipeline(upload);

    // Act
    started.length = 0;
    await runPipeline(decision.event);

    // Assess: the backfill's late execution skipped; the item is version 2's
    expect(decision.decision).toBe('START');
    expect(started).toEqual([{ status: 'SUCCEEDED', skipped: true }]);
    expect(await itemOf('uploads/race2.png')).toMatchObject({ status: 'SUCCEEDED', etag: 'etag-v2' });
  });

  it('starts the pipeline for an object whose item describes an older version', async () => {
    // Prepare: an item of an older version (uploaded before the listed one was written)
    const old = objectCreatedEvent({ bucket: BUCKET, key: 'uploads/changed.png', etag: 'etag-old', sequencer: '0062E99A88DC4074C0' });
    await runPipeline(old);

    // Act
    const newer = await backfill(listed('uploads/changed.png', 'etag-newer', '2026-11-24T09:00:00.000Z'));

    // Assess
    expect(newer.output).toMatchObject({ decision: 'START', status: 'SUCCEEDED' });
    expect(await itemOf('uploads/changed.png')).toMatchObject({ status: 'SUCCEEDED', etag: 'etag-newer' });
  });

  it('skips folder markers and keys outside the upload prefix without starting anything', async () => {
    // Act
    const folder = await backfill(listed('uploads/folder/', 'd41d8cd98f00b204e9800998ecf8427e', '2026-11-24T09:00:00.000Z'));
    const outside = await backfill(listed('thumbnails/x.jpg', 'etag-t', '2026-11-24T09:00:00.000Z'));

    // Assess
    expect([folder.output.decision, outside.output.decision]).toEqual(['SKIP', 'SKIP']);
    expect([...folder.started, ...outside.started]).toEqual([]);
  });
});
