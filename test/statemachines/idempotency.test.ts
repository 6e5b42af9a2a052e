// Executes THE definition with the real bookkeeping tasks (ClaimImage, StoreResult, RecordFailure)
// against a real DynamoDB-compatible engine (dynalite), and stub analyses: the same event twice, and
// an older event after a newer one, must leave exactly one correct item.
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionOutcome, LocalStateMachine } from '../../local/engine/local-state-machine';
import { allImages } from '../../tasks/shared/image-scan';
import { startImageTable, type ImageTableOnDynalite } from '../support/dynalite';
import { objectCreatedEvent } from '../support/events';
import { bookkeepingPipeline } from './support/bookkeeping-pipeline';
import { pipelineStubs } from './support/pipeline-stubs';

const TABLE = 'picflow-idempotency';

describe('Definition execution with the real bookkeeping tasks (dynalite)', () => {
  let dynamo: ImageTableOnDynalite;
  let documents: DynamoDBDocumentClient;
  let counter = 0;

  beforeAll(async () => {
    dynamo = await startImageTable(TABLE);
    documents = dynamo.documents;
  });

  afterAll(() => dynamo.stop());

  function machine(stubs = pipelineStubs()) {
    return { stubs, machine: bookkeepingPipeline(stubs) };
  }

  const run = (m: LocalStateMachine, event: unknown): Promise<ExecutionOutcome> => m.execute(event, { name: `idem-${++counter}` });
  const itemsFor = async (key: string) => (await allImages(dynamo.client, TABLE)).filter((i) => i.key === key);

  it('the same event delivered twice leaves one item, and the second execution skips the work', async () => {
    // Prepare
    const { stubs, machine: m } = machine();
    const event = objectCreatedEvent({ key: 'uploads/twice.png', sequencer: '0062E99A88DC407460' });

    // Act
    const first = await run(m, event);
    const second = await run(m, event);

    // Assess
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(second.events.map((e) => (e as { state?: { name: string } }).state?.name)).toContain('AlreadyProcessed');
    expect(stubs.calls.ValidateImage).toHaveLength(1);
    const items = await itemsFor('uploads/twice.png');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'SUCCEEDED', executionId: first.executionArn });
  });

  it('two deliveries of the same event at once still give one item, and only one of them does the work', async () => {
    // Prepare
    const { stubs, machine: m } = machine();
    const event = objectCreatedEvent({ key: 'uploads/concurrent.png', sequencer: '0062E99A88DC407470' });

    // Act
    const outcomes = await Promise.all([run(m, event), run(m, event)]);

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(stubs.calls.ValidateImage).toHaveLength(1);
    const items = await itemsFor('uploads/concurrent.png');
    expect(items).toHaveLength(1);
    expect(items[0].status).toBe('SUCCEEDED');
  });

  it('an older event arriving after a newer one never overwrites the newer result', async () => {
    // Prepare
    const { machine: m } = machine();
    const newer = objectCreatedEvent({ key: 'uploads/versions.png', sequencer: '0062E99A88DC407480', etag: 'newer-etag' });
    const older = objectCreatedEvent({ key: 'uploads/versions.png', sequencer: '0062E99A88DC40747F', etag: 'older-etag' });

    // Act
    await run(m, newer);
    const late = await run(m, older);

    // Assess
    expect(late.status).toBe('SUCCEEDED');
    const { Item } = await documents.send(
      new GetCommand({ TableName: TABLE, Key: { imageId: `${newer.detail.bucket.name}/uploads/versions.png` } }),
    );
    expect(Item).toMatchObject({ etag: 'newer-etag', status: 'SUCCEEDED' });
  });

  it('a replay of a FAILED image runs again and replaces the failure', async () => {
    // Prepare: the first run fails validation (stubbed), the replay succeeds
    const failing = pipelineStubs({
      ValidateImage: () => Object.assign(new Error('CORRUPT: truncated'), { name: 'ImageValidationError' }),
    });
    const event = objectCreatedEvent({ key: 'uploads/replayed.png', sequencer: '0062E99A88DC407490' });
    const firstRun = await run(machine(failing).machine, event);
    expect((await itemsFor('uploads/replayed.png'))[0]).toMatchObject({
      status: 'FAILED',
      failure: { state: 'ValidateImage', error: 'ImageValidationError' },
    });

    // Act
    const replay = await run(machine().machine, event);

    // Assess
    expect(firstRun.status).toBe('FAILED');
    expect(failing.deadLetters).toHaveLength(1);
    expect(replay.status).toBe('SUCCEEDED');
    const items = await itemsFor('uploads/replayed.png');
    expect(items).toHaveLength(1);
    expect(items[0].status).toBe('SUCCEEDED');
    expect(items[0].failure).toBeUndefined();
  });
});
