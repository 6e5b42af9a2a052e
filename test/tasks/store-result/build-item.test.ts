import { statusKey, verdictKey } from '../../../tasks/shared/image-indexes';
import { STATE_OF_BRANCH, buildItem } from '../../../tasks/store-result/build-item';
import { MAX_REASON_CHARS } from '../../../dead-letters/build';
import { sequencerKey } from '../../../tasks/shared/sequencer';
import type { BranchResult } from '../../../tasks/shared/types';
import {
  EXECUTION_ID,
  facesOk,
  failed,
  labelsAndTextOk,
  lambdaCause,
  moderationOk,
  SEQUENCER,
  skipped,
  storeInput,
  thumbnailsOk,
  validation,
} from '../shared/factories';

const NOW = new Date('2024-05-01T10:00:09.000Z');
const OPTIONS = { analyzerName: 'amazon-rekognition', now: NOW };
const THROTTLED = failed(
  'faces',
  'Rekognition.ThrottlingException',
  lambdaCause('Rekognition.ThrottlingException', 'ThrottlingException: Rate exceeded'),
);

describe('Module: build-item', () => {
  it('builds the whole item when every branch succeeded', () => {
    // Act
    const built = buildItem(storeInput({ versionId: 'v1' }), OPTIONS);

    // Assess
    expect(built.status).toBe('SUCCEEDED');
    expect(built.reason).toBe('SUCCEEDED: 2 thumbnails, 1 face (HAPPY), 12 labels, 3 text lines, moderation safe');
    expect(built.failures).toEqual([]);
    expect(built.item).toEqual({
      imageId: 'picflow-uploads/uploads/cat.jpg',
      bucket: 'picflow-uploads',
      key: 'uploads/cat.jpg',
      versionId: 'v1',
      etag: 'b1946ac92492d2347c6235b4d2611184',
      sequencer: SEQUENCER,
      sequencerKey: sequencerKey(SEQUENCER),
      size: 12345,
      format: 'jpeg',
      width: 800,
      height: 600,
      uploadedAt: '2026-11-23T18:00:00Z',
      status: 'SUCCEEDED',
      statusKey: statusKey('picflow-uploads/uploads/cat.jpg', 'SUCCEEDED'),
      verdictKey: verdictKey('picflow-uploads/uploads/cat.jpg', 'safe'),
      statusReason: built.reason,
      branches: {
        thumbnails: { status: 'SUCCEEDED', durationMs: 120 },
        faces: { status: 'SUCCEEDED', durationMs: 300 },
        labelsAndText: { status: 'SUCCEEDED', durationMs: 250 },
        moderation: { status: 'SUCCEEDED', durationMs: 200 },
      },
      thumbnails: thumbnailsOk().thumbnails,
      faces: facesOk().faces,
      faceCount: 1,
      labels: labelsAndTextOk().labels,
      text: labelsAndTextOk().text,
      moderation: { verdict: 'safe', labels: [] },
      card: { f: 1, l: ['Label0', 'Label1', 'Label2'], v: 'safe', t: 'thumbnails/cat-cover-128x128.jpg' },
      rawResults: {
        faces: 's3://picflow-uploads/analysis/cat.jpg/faces.json',
        labels: 's3://picflow-uploads/analysis/cat.jpg/labels.json',
        text: 's3://picflow-uploads/analysis/cat.jpg/text.json',
        moderation: 's3://picflow-uploads/analysis/cat.jpg/moderation.json',
      },
      analyzer: 'amazon-rekognition',
      executionId: EXECUTION_ID,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      startedAt: '2024-05-01T10:00:01.000Z',
      completedAt: NOW.toISOString(),
    });
  });

  it.each<{ when: string; branches: BranchResult[]; status: 'SUCCEEDED' | 'PARTIAL' | 'FAILED' }>([
    { when: 'all succeeded', branches: [thumbnailsOk(), facesOk(), labelsAndTextOk(), moderationOk()], status: 'SUCCEEDED' },
    { when: 'some skipped', branches: [thumbnailsOk(), skipped('faces'), labelsAndTextOk(), skipped('moderation')], status: 'SUCCEEDED' },
    { when: 'one failed', branches: [thumbnailsOk(), THROTTLED, labelsAndTextOk(), moderationOk()], status: 'PARTIAL' },
    {
      when: 'three failed',
      branches: [thumbnailsOk(), THROTTLED, failed('labelsAndText', 'X'), failed('moderation', 'Y')],
      status: 'PARTIAL',
    },
    {
      when: 'all four failed',
      branches: [failed('thumbnails', 'W'), THROTTLED, failed('labelsAndText', 'X'), failed('moderation', 'Y')],
      status: 'FAILED',
    },
    {
      when: 'the only branch that ran failed',
      branches: [failed('thumbnails', 'W'), skipped('faces'), skipped('labelsAndText'), skipped('moderation')],
      status: 'FAILED',
    },
  ])('status is $status when $when', ({ branches, status }) => {
    // Act & Assess
    expect(buildItem(storeInput({ branches }), OPTIONS).status).toBe(status);
  });

  it.each<[string, BranchResult]>([
    ['failed', failed('moderation', 'Rekognition.ThrottlingException')],
    ['skipped', skipped('moderation')],
    ['succeeded without a verdict', { branch: 'moderation', status: 'SUCCEEDED', labels: [] }],
  ])('never reads as safe when moderation %s: verdict unavailable', (_, moderation) => {
    // Act
    const built = buildItem(storeInput({ branches: [thumbnailsOk(), facesOk(), labelsAndTextOk(), moderation] }), OPTIONS);

    // Assess
    expect(built.item.moderation).toEqual({ verdict: 'unavailable', labels: [] });
    expect(built.reason).toMatch(/moderation unavailable/);
  });

  it('keeps the verdict and labels of a moderation that ran', () => {
    // Act
    const built = buildItem(storeInput({ branches: [thumbnailsOk(), facesOk(), labelsAndTextOk(), moderationOk('suggestive')] }), OPTIONS);

    // Assess
    expect(built.item.moderation).toEqual({ verdict: 'suggestive', labels: [{ name: 'Suggestive', parentName: '', confidence: 80 }] });
  });

  it('explains a PARTIAL result by the failed state, its error and message, then what was kept', () => {
    // Act
    const built = buildItem(storeInput({ branches: [thumbnailsOk(), THROTTLED, labelsAndTextOk(), moderationOk()] }), OPTIONS);

    // Assess
    expect(built.reason).toBe(
      'PARTIAL: DetectFaces failed: Rekognition.ThrottlingException: ThrottlingException: Rate exceeded; kept 2 thumbnails, 12 labels, ' +
        '3 text lines, moderation safe',
    );
    expect(built.failures).toEqual([
      { state: 'DetectFaces', error: 'Rekognition.ThrottlingException', cause: 'ThrottlingException: Rate exceeded' },
    ]);
    expect(built.item.branches!.faces).toEqual({
      status: 'FAILED',
      error: 'Rekognition.ThrottlingException',
      cause: 'ThrottlingException: Rate exceeded',
    });
    expect(built.item).not.toHaveProperty('faces');
    expect(built.item).not.toHaveProperty('faceCount');
    expect(built.item).not.toHaveProperty('failure');
    expect(built.item.rawResults).toEqual({
      labels: 's3://picflow-uploads/analysis/cat.jpg/labels.json',
      text: 's3://picflow-uploads/analysis/cat.jpg/text.json',
      moderation: 's3://picflow-uploads/analysis/cat.jpg/moderation.json',
    });
  });

  it('stores the dominant colours and image quality of DetectLabels on the item', () => {
    // Prepare
    const colors = [
      { hex: '#ff0000', css: 'red', simplified: 'red', percent: 74.5 },
      { hex: '#0000ff', css: 'blue', simplified: 'blue', percent: 25.5 },
    ];
    const imageQuality = { brightness: 40, sharpness: 80, contrast: 60 };
    const branches = [thumbnailsOk(), facesOk(), { ...labelsAndTextOk(), colors, imageQuality }, moderationOk()];

    // Act
    const built = buildItem(storeInput({ branches }), OPTIONS);

    // Assess
    expect(built.item.colors).toEqual(colors);
    expect(built.item.imageQuality).toEqual(imageQuality);
  });

  it('makes the item PARTIAL when DetectLabelsAndText kept its labels and lost DetectText, naming the operation', () => {
    // Prepare: labels kept, DetectText failed for good
    const { text: _lost, ...labelsOnly } = labelsAndTextOk();
    const halfFailed = {
      ...labelsOnly,
      rawRefs: { labels: labelsOnly.rawRefs!.labels },
      failedPart: {
        operation: 'DetectText' as const,
        error: 'Rekognition.AccessDeniedException',
        cause: 'AccessDeniedException: not authorized to perform rekognition:DetectText',
      },
    };

    // Act
    const built = buildItem(storeInput({ branches: [thumbnailsOk(), facesOk(), halfFailed, moderationOk()] }), OPTIONS);

    // Assess
    expect(built.status).toBe('PARTIAL');
    expect(built.reason).toBe(
      'PARTIAL: DetectLabelsAndText (DetectText) failed: Rekognition.AccessDeniedException: AccessDeniedException: not authorized ' +
        'to perform rekognition:DetectText; kept 2 thumbnails, 1 face (HAPPY), 12 labels, moderation safe',
    );
    expect(built.failures).toEqual([
      {
        state: 'DetectLabelsAndText (DetectText)',
        error: 'Rekognition.AccessDeniedException',
        cause: 'AccessDeniedException: not authorized to perform rekognition:DetectText',
      },
    ]);
    expect(built.item.labels).toHaveLength(12);
    expect(built.item).not.toHaveProperty('text');
    expect(built.item.listedStatus).toBe('PARTIAL');
    expect(built.item.branches!.labelsAndText).toEqual({
      status: 'SUCCEEDED',
      durationMs: 250,
      error: 'DetectText: Rekognition.AccessDeniedException',
      cause: 'AccessDeniedException: not authorized to perform rekognition:DetectText',
    });
  });

  it('names every failed branch by its state, in branch order', () => {
    // Prepare
    const branches = [
      failed('thumbnails', 'S3.ServiceUnavailable', 'plain text cause'),
      failed('faces', 'States.Timeout'),
      failed('labelsAndText', 'Rekognition.InvalidImageFormatException', lambdaCause('X', 'bad format')),
      failed('moderation', 'States.TaskFailed', lambdaCause('Y', 'boom')),
    ];

    // Act
    const built = buildItem(storeInput({ branches }), OPTIONS);

    // Assess
    expect(built.failures.map((f) => f.state)).toEqual([
      'CreateThumbnails',
      'DetectFaces',
      'DetectLabelsAndText',
      'DetectModerationLabels',
    ]);
    expect(built.failures.map((f) => f.state)).toEqual(Object.values(STATE_OF_BRANCH));
    expect(built.reason).toBe(
      'FAILED: CreateThumbnails failed: S3.ServiceUnavailable: plain text cause; DetectFaces failed: States.Timeout; ' +
        'DetectLabelsAndText failed: Rekognition.InvalidImageFormatException: bad format; DetectModerationLabels failed: ' +
        'States.TaskFailed: boom',
    );
    expect(built.item.failure).toEqual({ state: 'CreateThumbnails', error: 'S3.ServiceUnavailable', cause: 'plain text cause' });
    expect(built.item.moderation).toEqual({ verdict: 'unavailable', labels: [] });
  });

  it('counts a branch missing from the Parallel output as FAILED', () => {
    // Act
    const built = buildItem(storeInput({ branches: [thumbnailsOk(), facesOk(), labelsAndTextOk()] }), OPTIONS);

    // Assess
    expect(built.status).toBe('PARTIAL');
    expect(built.failures).toEqual([
      {
        state: 'DetectModerationLabels',
        error: 'MissingBranchResult',
        cause: 'the AnalyzeImage state returned no result for the moderation branch',
      },
    ]);
  });

  it.each([
    [[], 'no faces'],
    [['HAPPY', 'CALM', 'HAPPY'], '3 faces (HAPPY, CALM)'],
    [['HAPPY', 'CALM', 'SAD', 'ANGRY'], '4 faces (HAPPY, CALM, SAD, ...)'],
  ])('summarises faces %j as "%s"', (emotions, text) => {
    // Act
    const built = buildItem(storeInput({ branches: [thumbnailsOk(), facesOk(emotions), labelsAndTextOk(1, 1), moderationOk()] }), OPTIONS);

    // Assess
    expect(built.reason).toBe(`SUCCEEDED: 2 thumbnails, ${text}, 1 label, 1 text line, moderation safe`);
    expect(built.item.faceCount).toBe(emotions.length);
  });

  it('uses the faceCount Rekognition reported when the faces list was capped', () => {
    // Prepare
    const faces = { ...facesOk(['HAPPY']), faceCount: 140 };

    // Act
    const built = buildItem(storeInput({ branches: [thumbnailsOk(), faces, labelsAndTextOk(), moderationOk()] }), OPTIONS);

    // Assess
    expect(built.item.faceCount).toBe(140);
    expect(built.reason).toContain('140 faces (HAPPY)');
  });

  it('records the analysed JPEG copy only when the upload was normalized', () => {
    // Prepare
    const normalized = validation({ format: 'webp', normalized: true, analysisObject: { bucket: 'b', key: 'normalized/cat.jpg' } });

    // Act
    const withCopy = buildItem(storeInput({ validation: normalized }), OPTIONS);
    const withoutCopy = buildItem(storeInput(), OPTIONS);

    // Assess
    expect(withCopy.item.analysisObject).toEqual({ bucket: 'b', key: 'normalized/cat.jpg' });
    expect(withCopy.item.format).toBe('webp');
    expect(withoutCopy.item).not.toHaveProperty('analysisObject');
  });

  it('keeps the reason within its limit when causes are huge', () => {
    // Prepare
    const huge = lambdaCause('Boom', 'x'.repeat(20_000));
    const branches = [
      failed('thumbnails', 'A', huge),
      failed('faces', 'B', huge),
      failed('labelsAndText', 'C', huge),
      failed('moderation', 'D', huge),
    ];

    // Act
    const built = buildItem(storeInput({ branches }), OPTIONS);

    // Assess
    expect(built.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
    expect(built.reason).toContain('DetectModerationLabels failed: D');
    expect(built.item.branches!.faces.cause!.length).toBeLessThanOrEqual(1000);
  });

  it('does not change its input', () => {
    // Prepare
    const input = storeInput({ branches: [thumbnailsOk(), THROTTLED, labelsAndTextOk(), moderationOk()] });
    const copy = structuredClone(input);

    // Act
    buildItem(input, OPTIONS);

    // Assess
    expect(input).toEqual(copy);
  });
});
