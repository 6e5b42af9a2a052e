/** Tags named people: each new face searched against the collection's users (SearchUsers), names from the `#person/` entries. */
import { SearchUsersCommand } from '@aws-sdk/client-rekognition';
import type { TaskDeps } from '../shared/aws-clients';
import { personNames } from '../shared/faces';
import { MAX_NAME_CHARS, PEOPLE_BUDGET_BYTES, withinBudget } from './budget';
import { callRekognition, round } from '../shared/rekognition';
import type { RecognisedPerson } from '../shared/types';

/** SearchUsers calls in flight at once: 100 faces must not burst past Rekognition's per-second quota. */
const CONCURRENCY = 4;

/** The best-matching user of each face at or above `personMatchThreshold`, with its name when it has one. */
export async function recognisePeople(faceIds: readonly string[], { config, clients }: TaskDeps): Promise<RecognisedPerson[]> {
  const collectionId = config.faceCollectionId!;
  const matches: (Omit<RecognisedPerson, 'name'> | undefined)[] = new Array(faceIds.length);
  let next = 0;
  const worker = async () => {
    while (next < faceIds.length) {
      const index = next++;
      const faceId = faceIds[index]!;
      const output = await callRekognition(clients.rekognition, (client) =>
        client.send(
          new SearchUsersCommand({
            CollectionId: collectionId,
            FaceId: faceId,
            UserMatchThreshold: config.personMatchThreshold,
            MaxUsers: 1,
          }),
        ),
      );
      const best = output.UserMatches?.[0];
      if (best?.User?.UserId) matches[index] = { userId: best.User.UserId, similarity: round(best.Similarity), faceId };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, faceIds.length) }, worker));
  const found = matches.filter((m): m is Omit<RecognisedPerson, 'name'> => m !== undefined);
  if (found.length === 0) return [];
  const names = await personNames(
    clients.dynamo,
    config.tableName,
    found.map((m) => m.userId),
  );
  const people = found.map((m) => {
    const name = names.get(m.userId)?.slice(0, MAX_NAME_CHARS);
    return name === undefined ? m : { userId: m.userId, name, similarity: m.similarity, faceId: m.faceId };
  });
  // Past the budget (dozens of named people on one photo), the most certain matches are kept.
  return withinBudget(people, PEOPLE_BUDGET_BYTES, (p) => p.similarity);
}
