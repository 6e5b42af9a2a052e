/**
 * The condition expressions of ClaimImage, StoreResult and RecordFailure, run by a real
 * DynamoDB-compatible engine (dynalite): the mocks prove what we send, this proves what it means.
 */
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { claimImage } from '../../../tasks/claim-image/claim-image';
import { markExecutionFailed } from '../../../tasks/record-failed-execution/mark-execution-failed';
import { recordFailure } from '../../../tasks/record-failure/record-failure';
import { storeResult } from '../../../tasks/store-result/store-result';
import { createTaskClients, type TaskDeps } from '../../../tasks/shared/aws-clients';
import { loadConfig } from '../../../tasks/shared/config';
import { allImages } from '../../../tasks/shared/image-scan';
import { LABEL_TIME_INDEX, labelPartitions } from '../../../tasks/shared/image-indexes';
import { STATUS_INDEX } from '../../../tasks/shared/image-table';
import type { ImageItem } from '../../../tasks/shared/types';
import { createImageTable, startDynalite, type LocalDynamo } from '../../support/dynalite';
import {
  EXECUTION_ID,
  executionInput,
  facesOk,
  failed,
  imageRef,
  labelsAndTextOk,
  moderationOk,
  NEWER_SEQUENCER,
  OLDER_SEQUENCER,
  OTHER_EXECUTION_ID,
  recordFailureInput,
  SEQUENCER,
  storeInput,
  thumbnailsOk,
} from './factories';

const IMAGE_ID = 'picflow-uploads/uploads/cat.jpg';
const T0 = new Date('2024-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let local: LocalDynamo;
let deps: TaskDeps & { clients: { destroy(): void } };
let tableCount = 0;

async function readItem(): Promise<ImageItem | undefined> {
  const { Item } = await deps.clients.dynamo.send(
    new GetCommand({ TableName: deps.config.tableName, Key: { imageId: IMAGE_ID }, ConsistentRead: true }),
  );
  return Item as ImageItem | undefined;
}

/** The byStatus index's entries under one status, as a failures list would read them. */
async function listed(status: string): Promise<Record<string, unknown>[]> {
  const { Items } = await deps.clients.dynamo.send(
    new QueryCommand({
      TableName: deps.config.tableName,
      IndexName: STATUS_INDEX.name,
      KeyConditionExpression: '#listed = :status',
      ExpressionAttributeNames: { '#listed': STATUS_INDEX.partitionKey },
      ExpressionAttributeValues: { ':status': status },
    }),
  );
  return Items ?? [];
}

/** The imageIds a label query (the HTTP API's `GET /images?label=`) answers, from the label index. */
async function foundByLabel(name: string): Promise<string[]> {
  const found: string[] = [];
  for (const partition of labelPartitions(name, 0)) {
    const { Items = [] } = await deps.clients.dynamo.send(
      new QueryCommand({
        TableName: deps.config.tableName,
        IndexName: LABEL_TIME_INDEX.name,
        KeyConditionExpression: '#labelKey = :labelKey',
        ExpressionAttributeNames: { '#labelKey': LABEL_TIME_INDEX.partitionKey },
        ExpressionAttributeValues: { ':labelKey': partition },
      }),
    );
    found.push(...Items.map((entry) => entry.imageOf as string));
  }
  return found;
}

/** Image items only: label entries (the HTTP API's label index) are items of their own. */
async function itemCount(): Promise<number> {
  return (await allImages(local.client, deps.config.tableName)).length;
}

describe('Module: image-table conditions on a real engine', () => {
  beforeAll(async () => {
    local = await startDynalite();
  });

  afterAll(async () => {
    await local.stop();
  });

  beforeEach(async () => {
    // A fresh table per test: no test sees another's items.
    tableCount += 1;
    const config = loadConfig({ TABLE_NAME: `images-${tableCount}`, CLAIM_TIMEOUT_SECONDS: '900' });
    deps = { config, clients: createTaskClients(config, { endpoints: { dynamodb: local.endpoint } }) };
    await createImageTable(local, config.tableName);
  });

  afterEach(() => {
    deps.clients.destroy();
  });

  it('stores a duplicate event once, and SKIPs its second claim after SUCCEEDED', async () => {
    // Prepare
    const first = await claimImage(executionInput(), deps, at(1));
    await storeResult(storeInput(), deps, at(5));

    // Act
    const second = await claimImage(executionInput({ executionId: OTHER_EXECUTION_ID }), deps, at(6));
    const storedAgain = await storeResult(storeInput(), deps, at(7));

    // Assess
    expect(first.decision).toBe('PROCESS');
    expect(second).toMatchObject({ decision: 'SKIP', reason: expect.stringContaining('already SUCCEEDED for this version') });
    expect(storedAgain.status).toBe('SUCCEEDED');
    expect(await itemCount()).toBe(1);
    const item = await readItem();
    expect(item).toMatchObject({ status: 'SUCCEEDED', sequencer: SEQUENCER, faceCount: 1, createdAt: at(1).toISOString() });
  });

  it("removes the previous version's label entries at the newer version's claim, before its StoreResult", async () => {
    // Prepare: the first version stored with its labels, found by one of them.
    await claimImage(executionInput(), deps, at(1));
    await storeResult(storeInput(), deps, at(5));
    const before = await foundByLabel('Label0');

    // Act: a newer upload of the key is claimed; its analysis has not stored anything yet.
    const claim = await claimImage(executionInput({ sequencer: NEWER_SEQUENCER, executionId: OTHER_EXECUTION_ID }), deps, at(6));

    // Assess
    expect(before).toEqual([IMAGE_ID]);
    expect(claim.decision).toBe('PROCESS');
    expect(await foundByLabel('Label0')).toEqual([]);
    expect((await readItem())?.labelIndex ?? new Set()).toEqual(new Set());
    expect(await itemCount()).toBe(1);
  });

  it('lets only one of two concurrent duplicates PROCESS; a retried claim of the same execution still PROCESSes', async () => {
    // Act
    const results = await Promise.all([
      claimImage(executionInput(), deps, at(1)),
      claimImage(executionInput({ executionId: OTHER_EXECUTION_ID }), deps, at(1)),
    ]);
    const winner = results.find((r) => r.decision === 'PROCESS');
    const loser = results.find((r) => r.decision === 'SKIP');
    const retriedByWinner = await claimImage(
      executionInput({ executionId: results[0] === winner ? EXECUTION_ID : OTHER_EXECUTION_ID }),
      deps,
      at(2),
    );

    // Assess
    expect(winner).toBeDefined();
    expect(loser?.reason).toMatch(/^another execution \(.*\) is processing it since 2024-05-01T10:00:01.000Z/);
    expect(retriedByWinner.decision).toBe('PROCESS');
  });

  it('SKIPs an older event after a newer one, answers SUPERSEDED to its store, and keeps the newer item intact', async () => {
    // Prepare: the older upload's execution claimed first, then the newer one took over and finished.
    await claimImage(executionInput({ sequencer: OLDER_SEQUENCER }), deps, at(1));
    await claimImage(executionInput({ sequencer: NEWER_SEQUENCER, executionId: OTHER_EXECUTION_ID }), deps, at(2));
    await storeResult(
      storeInput({
        sequencer: NEWER_SEQUENCER,
        executionId: OTHER_EXECUTION_ID,
        branches: [thumbnailsOk(), facesOk(['CALM']), labelsAndTextOk(), moderationOk()],
      }),
      deps,
      at(3),
    );
    const newer = await readItem();

    // Act
    const lateClaim = await claimImage(executionInput({ sequencer: SEQUENCER, executionId: 'exec-3' }), deps, at(4));
    const lateStore = await storeResult(storeInput({ sequencer: OLDER_SEQUENCER }), deps, at(5));
    const lateFailure = await recordFailure(recordFailureInput({ sequencer: OLDER_SEQUENCER }), deps, at(6));

    // Assess
    expect(lateClaim).toMatchObject({
      decision: 'SKIP',
      reason: `a newer version owns the key: stored sequencer ${NEWER_SEQUENCER} (SUCCEEDED) is newer than this event's ${SEQUENCER}`,
    });
    expect(lateStore.status).toBe('SUPERSEDED');
    expect(lateStore.deadLetter).toBeUndefined();
    expect(lateFailure.status).toBe('FAILED');
    expect(await readItem()).toEqual(newer);
    expect(newer).toMatchObject({ status: 'SUCCEEDED', sequencer: NEWER_SEQUENCER, faces: facesOk(['CALM']).faces });
  });

  it('clears the previous version’s results when a newer version claims the item', async () => {
    // Prepare
    await claimImage(executionInput({ sequencer: OLDER_SEQUENCER }), deps, at(1));
    await storeResult(storeInput({ sequencer: OLDER_SEQUENCER }), deps, at(2));

    // Act
    const claim = await claimImage(executionInput({ sequencer: SEQUENCER, executionId: OTHER_EXECUTION_ID }), deps, at(3));

    // Assess
    expect(claim).toMatchObject({ decision: 'PROCESS', reason: expect.stringMatching(/^newer version .* \(was SUCCEEDED\)$/) });
    const item = await readItem();
    expect(item).toMatchObject({
      status: 'PROCESSING',
      sequencer: SEQUENCER,
      executionId: OTHER_EXECUTION_ID,
      createdAt: at(1).toISOString(),
    });
    for (const attribute of ['faces', 'faceCount', 'labels', 'text', 'moderation', 'thumbnails', 'statusReason', 'completedAt']) {
      expect(item).not.toHaveProperty(attribute);
    }
  });

  it('does not bring back an item deleted during the analysis when the analysis then fails (its claim made the item)', async () => {
    // Prepare: claimed, then deleted (DELETE /images) while the analysis runs
    await claimImage(executionInput(), deps, at(1));
    await deps.clients.dynamo.send(new DeleteCommand({ TableName: deps.config.tableName, Key: { imageId: IMAGE_ID } }));

    // Act: the analysis fails (its original is gone)
    const result = await recordFailure(recordFailureInput(), deps, at(2));

    // Assess: nothing recorded, and SUPERSEDED (the definition then ends without a dead letter: no replay can succeed)
    expect(result.status).toBe('SUPERSEDED');
    expect(await readItem()).toBeUndefined();
    expect(await itemCount()).toBe(0);
  });

  it('PROCESSes a replay of a FAILED attempt', async () => {
    // Prepare
    await claimImage(executionInput(), deps, at(1));
    await recordFailure(recordFailureInput(), deps, at(2));
    const failedItem = await readItem();

    // Act
    const replay = await claimImage(executionInput({ executionId: OTHER_EXECUTION_ID }), deps, at(3));

    // Assess
    expect(failedItem).toMatchObject({
      status: 'FAILED',
      statusReason: 'ValidateImage failed: ImageValidationError: CORRUPT: the JPEG data ends early (truncated file)',
      failure: { state: 'ValidateImage', error: 'ImageValidationError' },
    });
    expect(replay).toMatchObject({ decision: 'PROCESS', reason: expect.stringContaining('the last attempt was FAILED') });
    const item = await readItem();
    expect(item).toMatchObject({ status: 'PROCESSING', executionId: OTHER_EXECUTION_ID });
    expect(item).not.toHaveProperty('failure');
  });

  it('PROCESSes a replay of a PARTIAL attempt', async () => {
    // Prepare
    await claimImage(executionInput(), deps, at(1));
    await storeResult(storeInput({ branches: [thumbnailsOk(), failed('faces', 'Boom'), labelsAndTextOk(), moderationOk()] }), deps, at(2));

    // Act
    const replay = await claimImage(executionInput({ executionId: OTHER_EXECUTION_ID }), deps, at(3));

    // Assess
    expect(replay.decision).toBe('PROCESS');
  });

  it('takes over a claim only once it is older than the claim timeout', async () => {
    // Prepare
    await claimImage(executionInput(), deps, at(0));

    // Act
    const early = await claimImage(executionInput({ executionId: OTHER_EXECUTION_ID }), deps, at(899));
    const late = await claimImage(executionInput({ executionId: OTHER_EXECUTION_ID }), deps, at(901));

    // Assess
    expect(early.decision).toBe('SKIP');
    expect(late).toMatchObject({ decision: 'PROCESS', reason: expect.stringContaining(`takes over the claim of ${EXECUTION_ID}`) });
  });

  it('never lets a duplicate whose claim failed mark a SUCCEEDED item FAILED', async () => {
    // Prepare
    await claimImage(executionInput(), deps, at(1));
    await storeResult(storeInput(), deps, at(2));
    const succeeded = await readItem();

    // Act
    const result = await recordFailure(
      recordFailureInput({
        withClaim: false,
        executionId: OTHER_EXECUTION_ID,
        failedStates: { ClaimImage: { Error: 'DynamoDB.ThrottlingException' } },
      }),
      deps,
      at(3),
    );

    // Assess
    expect(result.status).toBe('FAILED');
    expect(await readItem()).toEqual(succeeded);
  });

  it('never lets a duplicate mark a SUCCEEDED item FAILED, even long after the claim timeout', async () => {
    // Prepare
    await claimImage(executionInput(), deps, at(1));
    await storeResult(storeInput(), deps, at(2));
    const succeeded = await readItem();

    // Act: an hour later, a duplicate whose claim failed records its failure
    await recordFailure(
      recordFailureInput({
        withClaim: false,
        executionId: OTHER_EXECUTION_ID,
        failedStates: { ClaimImage: { Error: 'DynamoDB.ThrottlingException' } },
      }),
      deps,
      at(3600),
    );

    // Assess
    expect(await readItem()).toEqual(succeeded);
  });

  it('never lets an older event mark a newer version FAILED, even when the newer one already failed', async () => {
    // Prepare: the newer version's execution failed and recorded it
    await claimImage(executionInput({ sequencer: NEWER_SEQUENCER, executionId: OTHER_EXECUTION_ID }), deps, at(1));
    await recordFailure(recordFailureInput({ sequencer: NEWER_SEQUENCER, executionId: OTHER_EXECUTION_ID }), deps, at(2));
    const newerFailure = await readItem();

    // Act: the older event's execution (its claim was refused) records its own failure later
    await recordFailure(
      recordFailureInput({ withClaim: false, sequencer: OLDER_SEQUENCER, failedStates: { ClaimImage: { Error: 'States.Timeout' } } }),
      deps,
      at(3600),
    );

    // Assess
    expect(newerFailure).toMatchObject({ status: 'FAILED', sequencer: NEWER_SEQUENCER });
    expect(await readItem()).toEqual(newerFailure);
  });

  it("marks another execution's claim FAILED only once the claim is older than the claim timeout", async () => {
    // Prepare: execution 1 claimed the image and went silent
    await claimImage(executionInput(), deps, at(0));
    const failureOf2 = () =>
      recordFailureInput({ withClaim: false, executionId: OTHER_EXECUTION_ID, failedStates: { ClaimImage: { Error: 'States.Timeout' } } });

    // Act
    await recordFailure(failureOf2(), deps, at(899));
    const whileLive = await readItem();
    await recordFailure(failureOf2(), deps, at(901));
    const abandoned = await readItem();

    // Assess
    expect(whileLive).toMatchObject({ status: 'PROCESSING', executionId: EXECUTION_ID });
    expect(abandoned).toMatchObject({ status: 'FAILED', executionId: OTHER_EXECUTION_ID });
  });

  it("never lets an older event take over a newer version's abandoned claim", async () => {
    // Prepare
    await claimImage(executionInput({ sequencer: NEWER_SEQUENCER, executionId: OTHER_EXECUTION_ID }), deps, at(0));

    // Act: long past the claim timeout
    const late = await claimImage(executionInput({ sequencer: OLDER_SEQUENCER }), deps, at(3600));

    // Assess
    expect(late.decision).toBe('SKIP');
    expect(await readItem()).toMatchObject({ status: 'PROCESSING', sequencer: NEWER_SEQUENCER, executionId: OTHER_EXECUTION_ID });
  });

  it('lets the execution-status net refresh a FAILED item of its execution, but never touch a SUCCEEDED or PARTIAL one', async () => {
    // Prepare: three images of one execution's version, FAILED / SUCCEEDED / PARTIAL (as RecordFailure and StoreResult left them)
    await claimImage(executionInput(), deps, at(1));
    await recordFailure(recordFailureInput(), deps, at(2));
    const parts = (now: Date) => ({
      tableName: deps.config.tableName,
      image: imageRef(),
      failure: { state: 'Execution', error: 'States.Timeout', cause: 'timed out' },
      reason: 'the execution timed out',
      executionId: EXECUTION_ID,
      startedAt: at(1).toISOString(),
      analyzer: 'amazon-rekognition',
      claimTimeoutSeconds: 900,
      now,
    });

    // Act
    const overFailed = await markExecutionFailed(deps.clients.dynamo, parts(at(3)));
    const refreshed = await readItem();
    await claimImage(executionInput(), deps, at(4));
    await storeResult(storeInput(), deps, at(5));
    const overSucceeded = await markExecutionFailed(deps.clients.dynamo, parts(at(6)));
    const succeeded = await readItem();
    await claimImage(executionInput({ sequencer: NEWER_SEQUENCER }), deps, at(7));
    await storeResult(
      storeInput({ sequencer: NEWER_SEQUENCER, branches: [thumbnailsOk(), failed('faces', 'Boom'), labelsAndTextOk(), moderationOk()] }),
      deps,
      at(8),
    );
    const overPartial = await markExecutionFailed(deps.clients.dynamo, {
      ...parts(at(9)),
      image: imageRef({ sequencer: NEWER_SEQUENCER }),
    });

    // Assess
    expect([overFailed, overSucceeded, overPartial]).toEqual(['MARKED', 'NOT_MARKED', 'NOT_MARKED']);
    expect(refreshed).toMatchObject({ status: 'FAILED', statusReason: 'the execution timed out' });
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED' });
    expect(await readItem()).toMatchObject({ status: 'PARTIAL' });
  });

  it('creates a minimal FAILED item when none exists, listed by the status index', async () => {
    // Act
    await recordFailure(recordFailureInput({ withClaim: false, failedStates: { ClaimImage: { Error: 'States.Timeout' } } }), deps, at(1));

    // Assess: the entry holds the keys and what a failures list shows, nothing more.
    expect(await listed('FAILED')).toEqual([
      {
        imageId: IMAGE_ID,
        listedStatus: 'FAILED',
        updatedAt: at(1).toISOString(),
        statusReason: 'ClaimImage failed: States.Timeout',
        executionId: EXECUTION_ID,
      },
    ]);
    expect(await readItem()).toMatchObject({ status: 'FAILED', sequencer: SEQUENCER, completedAt: at(1).toISOString() });
  });

  it('lists only FAILED and PARTIAL items in the sparse byStatus index, removed when a claim or replay moves them on', async () => {
    // Prepare / Act: one image through PROCESSING, PARTIAL, a replay's PROCESSING, SUCCEEDED, then a newer version that FAILED.
    const seen: Record<string, { status?: string; index: string[] }> = {};
    const snapshot = async (step: string) => {
      const all = await Promise.all(['PROCESSING', 'SUCCEEDED', 'PARTIAL', 'FAILED'].map(async (s) => (await listed(s)).map(() => s)));
      seen[step] = { status: (await readItem())?.status, index: all.flat() };
    };
    await claimImage(executionInput(), deps, at(1));
    await snapshot('claimed');
    await storeResult(storeInput({ branches: [thumbnailsOk(), failed('faces', 'Boom'), labelsAndTextOk(), moderationOk()] }), deps, at(2));
    await snapshot('partial');
    await claimImage(executionInput({ executionId: OTHER_EXECUTION_ID }), deps, at(3));
    await snapshot('replay claimed');
    await storeResult(storeInput({ executionId: OTHER_EXECUTION_ID }), deps, at(4));
    await snapshot('replay succeeded');
    await claimImage(executionInput({ sequencer: NEWER_SEQUENCER }), deps, at(5));
    await recordFailure(recordFailureInput({ sequencer: NEWER_SEQUENCER }), deps, at(6));
    await snapshot('newer version failed');

    // Assess: `status` stays on every item; only FAILED and PARTIAL carry the index key.
    expect(seen).toEqual({
      claimed: { status: 'PROCESSING', index: [] },
      partial: { status: 'PARTIAL', index: ['PARTIAL'] },
      'replay claimed': { status: 'PROCESSING', index: [] },
      'replay succeeded': { status: 'SUCCEEDED', index: [] },
      'newer version failed': { status: 'FAILED', index: ['FAILED'] },
    });
    expect(await readItem()).toMatchObject({ listedStatus: 'FAILED', status: 'FAILED' });
  });

  // A result for an item deleted meanwhile is not stored: test/tasks/store-result/delete-race.test.ts (it needs S3 too).
});
