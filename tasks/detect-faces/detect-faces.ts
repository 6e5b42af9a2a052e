/**
 * The faces branch's work: one Rekognition call with all attributes (IndexFaces into the face
 * collection when face indexing is on, else DetectFaces), the raw response to S3, compact faces, the
 * named people recognised on them and, when enabled, celebrities to the state.
 */
import { DetectFacesCommand, type FaceDetail, IndexFacesCommand } from '@aws-sdk/client-rekognition';
import type { TaskDeps } from '../shared/aws-clients';
import { ConfigError } from '../shared/config';
import { deleteCollectionFaces, recordFaceIds, rememberExternalImageId } from '../shared/faces';
import { callRekognition, elapsedMs, isEnabled, rekognitionImage, saveRawResponse } from '../shared/rekognition';
import { sequencerKey } from '../shared/sequencer';
import type { AnalysisInput, FacesBranchResult } from '../shared/types';
import { recogniseCelebrities } from './celebrities';
import { compactFaces } from './compact-faces';
import { recognisePeople } from './people';

export async function detectFaces(input: AnalysisInput, deps: TaskDeps): Promise<FacesBranchResult> {
  const { config, clients } = deps;
  if (!isEnabled(config, 'faces')) return { branch: 'faces', status: 'SKIPPED' };
  const start = performance.now();
  const found = config.faceIndexing ? await indexFaces(input, deps) : await detectOnly(input, deps);
  const rawRef = await saveRawResponse(clients.s3, input, 'faces.json', found.response, config);
  // A face the budget leaves out loses its FaceId with it: StoreResult then deletes it from the collection.
  const { faces, faceCount } = compactFaces(found.details, undefined, found.faceIds);
  const kept = faces.flatMap((f) => (f.faceId ? [f.faceId] : []));
  const people = kept.length > 0 ? await recognisePeople(kept, deps) : undefined;
  const celebrities = config.celebrities ? await recogniseCelebrities(input, deps) : undefined;
  return {
    branch: 'faces',
    status: 'SUCCEEDED',
    durationMs: elapsedMs(start),
    faces,
    faceCount,
    rawRef,
    ...(found.externalImageId ? { externalImageId: found.externalImageId } : {}),
    ...(people ? { people } : {}),
    ...(celebrities ? { celebrities } : {}),
  };
}

interface FoundFaces {
  response: object;
  details: FaceDetail[];
  /** The FaceId of details[i], or undefined for a face Rekognition did not index. */
  faceIds: (string | undefined)[];
  externalImageId?: string;
}

async function detectOnly(input: AnalysisInput, { clients }: TaskDeps): Promise<FoundFaces> {
  // ['ALL']: age, emotions, smile, glasses... The DEFAULT set is only box, pose, quality and landmarks.
  const response = await callRekognition(clients.rekognition, (client) =>
    client.send(new DetectFacesCommand({ Image: rekognitionImage(input), Attributes: ['ALL'] })),
  );
  const details = response.FaceDetails ?? [];
  return { response, details, faceIds: details.map(() => undefined) };
}

/**
 * IndexFaces with all attributes gives DetectFaces' FaceDetails plus FaceIds in one call. Faces its
 * quality filter leaves out (UnindexedFaces) are still faces on the photo: they are kept, without id.
 */
async function indexFaces(input: AnalysisInput, { config, clients }: TaskDeps): Promise<FoundFaces> {
  const collectionId = config.faceCollectionId;
  if (!collectionId) throw new ConfigError('faceIndexing is on but FACE_COLLECTION_ID is not set');
  const { image } = input;
  const externalImageId = await rememberExternalImageId(clients.dynamo, config.tableName, image.imageId);
  const response = await callRekognition(clients.rekognition, (client) =>
    client.send(
      new IndexFacesCommand({
        CollectionId: collectionId,
        Image: rekognitionImage(input),
        ExternalImageId: externalImageId,
        DetectionAttributes: ['ALL'],
      }),
    ),
  );
  const indexed = (response.FaceRecords ?? []).filter((r) => r.FaceDetail);
  const faceIds = indexed.map((r) => r.Face?.FaceId).filter((id): id is string => Boolean(id));
  // Recorded on the item at once: whatever fails later, StoreResult or RecordFailure finds and deletes them.
  const recorded = await recordFaceIds(
    clients.dynamo,
    config.tableName,
    { imageId: image.imageId, sequencerKey: sequencerKey(image.sequencer) },
    faceIds,
  );
  const unindexed = (response.UnindexedFaces ?? []).flatMap((u) => (u.FaceDetail ? [u.FaceDetail] : []));
  const details = [...indexed.map((r) => r.FaceDetail!), ...unindexed];
  if (recorded === 'SUPERSEDED') {
    // A newer version owns the item and will never list these: they go now, and the result carries no ids.
    await deleteCollectionFaces(clients.rekognition, collectionId, faceIds);
    return { response, details, faceIds: details.map(() => undefined), externalImageId };
  }
  return { response, details, faceIds: [...indexed.map((r) => r.Face?.FaceId), ...unindexed.map(() => undefined)], externalImageId };
}
