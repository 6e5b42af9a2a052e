// Object labels: the COCO taxonomy is complete, and the calibrated CenterNet (per-class thresholds, the
// zoomed-out second view) labels a frame-filling orange without labelling texture as objects.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { startRekognitionServer, type RekognitionServer } from '../../../local/rekognition';
import { COCO_CLASSES } from '../../../local/rekognition/models/coco-classes';
import { ancestors, COCO_TO_LABEL, LABEL_PARENTS, ROOT_LABELS } from '../../../local/rekognition/operations/label-taxonomy';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

describe('label taxonomy', () => {
  it.each([...COCO_CLASSES])('%s has a name, categories and parents that exist', (cls) => {
    const info = COCO_TO_LABEL[cls];
    expect(info.name).toMatch(/^[A-Z]/);
    expect(info.categories.length).toBeGreaterThan(0);
    const parents = ancestors(info.name);
    if (info.name !== 'Person') expect(parents.length).toBeGreaterThan(0);
    for (const p of parents) expect(p in LABEL_PARENTS || ROOT_LABELS.has(p)).toBe(true);
  });

  it('lists Orange under Citrus Fruit, Fruit, Food, Plant and Produce', () => {
    expect(ancestors('Orange')).toEqual(['Citrus Fruit', 'Food', 'Fruit', 'Plant', 'Produce']);
  });
});

describe('calibrated object labels (real models)', () => {
  let server: RekognitionServer;
  let client: RekognitionClient;
  beforeAll(async () => {
    server = await startRekognitionServer({ workers: 1, preload: ['DetectLabels'], analyzer: 'v1' });
    client = new RekognitionClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
  }, 120_000);
  afterAll(async () => {
    client.destroy();
    await server.close();
  });
  const objectLabels = async (file: string): Promise<string[]> => {
    const res = await client.send(new DetectLabelsCommand({ Image: { Bytes: readFileSync(path.join(FIXTURES, file)) } }));
    return (res.Labels ?? []).filter((l) => (l.Instances ?? []).length > 0).map((l) => l.Name!);
  };

  it('labels an orange that fills the frame', async () => {
    expect(await objectLabels('labels/orange.jpg')).toContain('Orange');
  }, 60_000);

  it.each(['labels/board.jpg', 'everyday/coins.png', 'labels/squirrel_cls.jpg'])(
    'gives %s (no COCO object) no object label',
    async (file) => {
      expect(await objectLabels(file)).toEqual([]);
    },
    60_000,
  );
});
