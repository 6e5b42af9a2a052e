/**
 * RecognizeCelebrities, an option of the faces branch (AWS only). An endpoint that does not offer it
 * (the local one answers UnknownOperationException) or refuses the image makes the item read
 * `unavailable` with the reason, never an empty list that would claim nobody famous is on the photo.
 * Transient failures (throttling, 5xx, network) still fail the branch, so the definition retries them.
 */
import { RecognizeCelebritiesCommand } from '@aws-sdk/client-rekognition';
import type { TaskDeps } from '../shared/aws-clients';
import { AwsServiceError } from '../shared/errors';
import { callRekognition, compactBox, rekognitionImage, round } from '../shared/rekognition';
import type { AnalysisInput, CelebritiesResult } from '../shared/types';
import { CELEBRITIES_BUDGET_BYTES, withinBudget } from './budget';

/** URLs kept per celebrity: Rekognition lists a few (IMDb, Wikidata); the state must stay small. */
const MAX_URLS = 3;

export async function recogniseCelebrities(input: AnalysisInput, { clients }: TaskDeps): Promise<CelebritiesResult> {
  try {
    const output = await callRekognition(clients.rekognition, (client) =>
      client.send(new RecognizeCelebritiesCommand({ Image: rekognitionImage(input) })),
    );
    const celebrities = (output.CelebrityFaces ?? []).map((c) => ({
      name: c.Name ?? '',
      ...(c.Id ? { id: c.Id } : {}),
      urls: (c.Urls ?? []).slice(0, MAX_URLS),
      matchConfidence: round(c.MatchConfidence),
      box: compactBox(c.Face?.BoundingBox),
    }));
    // Past the budget (a crowd of famous faces), the surest matches are kept.
    return { status: 'SUCCEEDED', celebrities: withinBudget(celebrities, CELEBRITIES_BUDGET_BYTES, (c) => c.matchConfidence) };
  } catch (error) {
    if (error instanceof AwsServiceError && error.transient) throw error;
    return { status: 'unavailable', reason: `RecognizeCelebrities failed: ${(error as Error).message}`.slice(0, 300) };
  }
}
