// The shared per-image analyses (analyzer v2, local/rekognition/image-analyses.ts) against the previous
// analyzer (v1), with real models and the real SDK: one decode and one run of each model per image, the
// same responses, and DetectLabels' image-level labels (Person, Text, Document) whatever the call order.
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  DetectTextCommand,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { startRekognitionServer, type RekognitionServer } from '../../../local/rekognition';
import { parseDetectLabelsParams } from '../../../local/rekognition/operations/detect-labels';
import { provenImageLabels, withImageLevelLabels } from '../../../local/rekognition/operations/image-level-labels';
import { fixtureImage as image } from '../../support/fixture-images';
import { localRekognitionClient } from '../../support/rekognition-client';

let v1: RekognitionServer;
let v2: RekognitionServer;
const clients: RekognitionClient[] = [];

function clientFor(server: RekognitionServer): RekognitionClient {
  const client = localRekognitionClient(server);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([
    startRekognitionServer({ workers: 1, analyzer: 'v1', faults: {} }),
    startRekognitionServer({ workers: 2, analyzer: 'v2', faults: {} }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([v1?.close(), v2?.close()]);
});

/** The four calls the pipeline makes for one image, all at once. */
async function fourCalls(client: RekognitionClient, bytes: Buffer) {
  const Image = { Bytes: bytes };
  const [faces, labels, text, moderation] = await Promise.all([
    client.send(new DetectFacesCommand({ Image, Attributes: ['ALL'] })),
    client.send(new DetectLabelsCommand({ Image })),
    client.send(new DetectTextCommand({ Image })),
    client.send(new DetectModerationLabelsCommand({ Image })),
  ]);
  const strip = <T extends { $metadata?: unknown }>(r: T): Omit<T, '$metadata'> => {
    const { $metadata, ...rest } = r;
    return rest;
  };
  return { faces: strip(faces), labels: strip(labels), text: strip(text), moderation: strip(moderation) };
}

describe('shared analyses (v2)', () => {
  it('decodes an image once and runs each model once for the four calls of one image, with the same answers as v1', async () => {
    // Prepare
    const bytes = image('astronaut.png');
    const before = v2.analysisStats()!;

    // Act
    const [old, shared] = await Promise.all([fourCalls(clientFor(v1), bytes), fourCalls(clientFor(v2), bytes)]);

    // Assess
    const after = v2.analysisStats()!;
    expect(after.decodes - before.decodes).toBe(1);
    expect(after.analyses - before.analyses).toBe(4);
    // DetectLabels reuses the faces and text analyses that DetectFaces and DetectText run.
    expect(after.reused - before.reused).toBe(2);
    expect(shared.faces).toEqual(old.faces);
    expect(shared.text).toEqual(old.text);
    expect(shared.moderation).toEqual(old.moderation);
    const objectLabels = (r: typeof shared.labels) => r.Labels!.filter((l) => l.Instances!.length > 0);
    expect(objectLabels(shared.labels)).toEqual(objectLabels(old.labels));
    expect(v1.analysisStats()).toBeUndefined();
  }, 120_000);

  it('skips OCR on a photo without text and counts it', async () => {
    // Prepare
    const before = v2.analysisStats()!.ocr;

    // Act
    const res = await clientFor(v2).send(new DetectTextCommand({ Image: { Bytes: image('chelsea.png') } }));

    // Assess
    expect(res.TextDetections).toEqual([]);
    const after = v2.analysisStats()!.ocr;
    expect(after.skipped - before.skipped).toBe(1);
    expect(after.enlarged - before.enlarged).toBe(0);
  }, 60_000);
});

describe('image-level labels', () => {
  it('labels page.png Text and Document with Rekognition names, parents and categories, also when DetectLabels comes alone', async () => {
    // Prepare
    const client = clientFor(v2);
    const Image = { Bytes: image('page.png') };

    // Act
    const alone = await client.send(new DetectLabelsCommand({ Image }));
    const afterOthers = await client.send(new DetectLabelsCommand({ Image }));
    const text = await client.send(new DetectTextCommand({ Image }));

    // Assess
    const byName = new Map(alone.Labels!.map((l) => [l.Name, l]));
    expect(text.TextDetections!.filter((d) => d.Type === 'LINE').length).toBeGreaterThanOrEqual(3);
    expect(byName.get('Text')).toMatchObject({ Parents: [], Instances: [], Categories: [{ Name: 'Text and Documents' }] });
    expect(byName.get('Document')).toMatchObject({ Parents: [{ Name: 'Text' }], Categories: [{ Name: 'Text and Documents' }] });
    expect(afterOthers.Labels).toEqual(alone.Labels);
  }, 120_000);

  it('labels astronaut.png Person (faces found) and honours the exclusion filter', async () => {
    // Prepare
    const client = clientFor(v2);
    const Image = { Bytes: image('astronaut.png') };

    // Act
    const labels = await client.send(new DetectLabelsCommand({ Image }));
    const excluded = await client.send(
      new DetectLabelsCommand({ Image, Settings: { GeneralLabels: { LabelExclusionFilters: ['Person'] } } }),
    );

    // Assess
    expect(labels.Labels!.find((l) => l.Name === 'Person')).toMatchObject({
      Aliases: [{ Name: 'Human' }],
      Categories: [{ Name: 'Person Description' }],
    });
    expect(excluded.Labels!.map((l) => l.Name)).not.toContain('Person');
  }, 120_000);

  it('adds Person from faces only where the objects did not name it, within MinConfidence and MaxLabels', () => {
    // Prepare
    const response = {
      LabelModelVersion: '3.0',
      Labels: [{ Name: 'Cup', Confidence: 80, Instances: [], Parents: [], Aliases: [], Categories: [] }],
    };
    const person = { name: 'Person', confidence: 99, parents: [], aliases: ['Human'], categories: ['Person Description'] };
    const text = { name: 'Text', confidence: 50, parents: [], aliases: [], categories: ['Text and Documents'] };

    // Act
    const added = withImageLevelLabels(response, [person, text], parseDetectLabelsParams({}));
    const limited = withImageLevelLabels(response, [person], parseDetectLabelsParams({ MaxLabels: 1 }));
    const already = withImageLevelLabels(
      { ...response, Labels: [{ ...response.Labels[0]!, Name: 'Person', Confidence: 70 }] },
      [person],
      parseDetectLabelsParams({}),
    );

    // Assess: Text at 50 is under the default MinConfidence of 55
    expect(added.Labels!.map((l) => [l.Name, l.Confidence])).toEqual([
      ['Person', 99],
      ['Cup', 80],
    ]);
    expect(limited.Labels!.map((l) => l.Name)).toEqual(['Person']);
    expect(already.Labels!.map((l) => [l.Name, l.Confidence])).toEqual([['Person', 70]]);
  });

  it('proves Person from faces, Text from one line and Document from three, nothing from neither', () => {
    // Prepare
    const face = { Confidence: 97.5 };
    const line = (Confidence: number) => ({ Type: 'LINE' as const, Confidence });
    const word = { Type: 'WORD' as const, Confidence: 10 };

    // Act
    const none = provenImageLabels({ FaceDetails: [] }, { TextDetections: [word] });
    const faceAndLine = provenImageLabels({ FaceDetails: [face, { Confidence: 80 }] }, { TextDetections: [line(90), word] });
    const page = provenImageLabels({}, { TextDetections: [line(90), line(80), line(70)] });

    // Assess
    expect(none).toEqual([]);
    expect(faceAndLine.map((l) => [l.name, l.confidence, l.categories])).toEqual([
      ['Person', 97.5, ['Person Description']],
      ['Text', 90, ['Text and Documents']],
    ]);
    expect(page.map((l) => [l.name, l.confidence, l.parents])).toEqual([
      ['Text', 80, []],
      ['Document', 80, ['Text']],
    ]);
  });
});
