/** StoreResult: build the item from the branches, store it, and hand PARTIAL/FAILED to the dead-letter queue. */
import type { TaskClients } from '../shared/aws-clients';
import type { PicflowConfig } from '../shared/config';
import { buildDeadLetter } from '../../dead-letters/build';
import { syncFaceIndex } from '../shared/faces';
import { syncLabelEntries } from '../shared/label-index';
import type { StoreResultInput, RecordedResult } from '../shared/types';
import { buildItem } from './build-item';
import { deleteDerivedObjects } from '../shared/derived-objects';
import { writeItem } from './write-item';

export async function storeResult(
  input: StoreResultInput,
  {
    config,
    clients,
  }: {
    config: Pick<PicflowConfig, 'tableName' | 'analyzerName' | 'faceCollectionId'>;
    clients: Pick<TaskClients, 'dynamo' | 'rekognition' | 's3'>;
  },
  now: Date = new Date(),
): Promise<RecordedResult> {
  const built = buildItem(input, { analyzerName: config.analyzerName, now });
  const outcome = await writeItem(clients.dynamo, config.tableName, built.item);
  if (outcome === 'DELETED') {
    // Deleted while this analysis ran: the delete could not see what this execution was still writing, so
    // this execution removes its own thumbnails, normalized copy and raw results, and the image stays deleted.
    await deleteDerivedObjects(clients.s3, built.item, input.image.bucket);
    return {
      imageId: input.image.imageId,
      status: 'SUPERSEDED',
      reason: `SUPERSEDED: ${input.image.key} was deleted during its analysis; this result was not stored and its objects were removed`,
    };
  }
  if (outcome === 'SUPERSEDED') {
    // Not an error and not a dead letter: the newer version's execution owns the item and its result.
    return {
      imageId: input.image.imageId,
      status: 'SUPERSEDED',
      reason:
        `SUPERSEDED: a newer version of ${input.image.key} owns the item; this result (sequencer ${input.image.sequencer}, ` +
        `${built.status}) was not stored`,
    };
  }
  // The label index (the HTTP API's find by label): entries for these labels, none for the previous version's.
  await syncLabelEntries(clients.dynamo, config.tableName, built.item);
  // The face collection: the faces this item lists stay, the previous version's (or a failed attempt's) go.
  if (config.faceCollectionId) {
    const keep = (built.item.faces ?? []).flatMap((f) => (f.faceId ? [f.faceId] : []));
    await syncFaceIndex(clients, config.tableName, config.faceCollectionId, built.item, keep);
  }
  if (built.status === 'SUCCEEDED') return { imageId: input.image.imageId, status: built.status, reason: built.reason };
  return {
    imageId: input.image.imageId,
    status: built.status,
    reason: built.reason,
    deadLetter: buildDeadLetter({
      event: input.event,
      executionId: input.executionId,
      status: built.status,
      reason: built.reason,
      failures: built.failures,
      image: input.image,
      failedAt: now,
    }),
  };
}
