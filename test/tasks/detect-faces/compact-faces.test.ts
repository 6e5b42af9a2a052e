import { compactFace, compactFaces, FACES_BUDGET_BYTES } from '../../../tasks/detect-faces/compact-faces';
import { withinBudget } from '../../../tasks/detect-faces/budget';
import { crowd, smilingFace } from './face-details';

describe('Function: compactFace', () => {
  it('keeps what a summary needs, rounded, with the strongest emotions first', () => {
    // Act
    const face = compactFace(smilingFace());

    // Assess
    expect(face).toEqual({
      box: { left: 0.4408, top: 0.1237, width: 0.2045, height: 0.285 },
      confidence: 100,
      emotions: [
        { type: 'HAPPY', confidence: 97.87 },
        { type: 'SURPRISED', confidence: 6.33 },
      ],
      dominantEmotion: 'HAPPY',
      ageRange: { low: 38, high: 46 },
      gender: { value: 'Female', confidence: 99.96 },
      smile: { value: true, confidence: 98.48 },
      eyesOpen: { value: true, confidence: 98.21 },
      mouthOpen: { value: true, confidence: 91.42 },
      eyeglasses: { value: false, confidence: 99.98 },
      sunglasses: { value: false, confidence: 100 },
    });
  });

  it('keeps at most three emotions, sorted by confidence', () => {
    // Prepare
    const detail = smilingFace({
      Emotions: [
        { Type: 'SAD', Confidence: 20 },
        { Type: 'CALM', Confidence: 40 },
        { Type: 'FEAR', Confidence: 5 },
        { Type: 'HAPPY', Confidence: 30 },
      ],
    });

    // Act
    const face = compactFace(detail);

    // Assess
    expect(face.emotions.map((e) => e.type)).toEqual(['CALM', 'HAPPY', 'SAD']);
    expect(face.dominantEmotion).toBe('CALM');
  });

  it('leaves out attributes Rekognition did not return (a DEFAULT-attributes response)', () => {
    // Prepare
    const detail = { BoundingBox: { Width: 0.5, Height: 0.5, Left: 0.25, Top: 0.25 }, Confidence: 99.5 };

    // Act
    const face = compactFace(detail);

    // Assess
    expect(face).toEqual({ box: { left: 0.25, top: 0.25, width: 0.5, height: 0.5 }, confidence: 99.5, emotions: [] });
  });

  it('does not change its input', () => {
    // Prepare
    const detail = smilingFace();
    const before = JSON.stringify(detail);

    // Act
    compactFace(detail);

    // Assess
    expect(JSON.stringify(detail)).toBe(before);
  });
});

describe('Function: compactFaces', () => {
  it('keeps all 100 faces of a typical crowd well under the size budget', () => {
    // Prepare: 100 is DetectFaces' maximum.
    const details = crowd(100);

    // Act
    const { faces, faceCount } = compactFaces(details);

    // Assess
    const bytes = JSON.stringify(faces).length;
    expect(faceCount).toBe(100);
    expect(faces).toHaveLength(100);
    expect(bytes).toBeLessThan(50_000);
  });

  it('keeps all 100 faces even when every face has three strong emotions', () => {
    // Act
    const { faces, faceCount } = compactFaces(crowd(100, 'strong'));

    // Assess
    expect(faceCount).toBe(100);
    expect(faces).toHaveLength(100);
    expect(JSON.stringify(faces).length).toBeLessThanOrEqual(FACES_BUDGET_BYTES);
    expect(faces.every((f) => f.emotions.length === 3)).toBe(true);
  });

  it('keeps the largest faces, in their original order, when a budget is exceeded, and still counts them all', () => {
    // Prepare
    const details = [
      smilingFace({ BoundingBox: { Width: 0.1, Height: 0.1, Left: 0, Top: 0 } }),
      smilingFace({ BoundingBox: { Width: 0.5, Height: 0.5, Left: 0.2, Top: 0.2 } }),
      smilingFace({ BoundingBox: { Width: 0.05, Height: 0.05, Left: 0.9, Top: 0.9 } }),
      smilingFace({ BoundingBox: { Width: 0.3, Height: 0.3, Left: 0.5, Top: 0 } }),
    ];
    const size = (i: number) => JSON.stringify(compactFace(details[i])).length;
    // Room for exactly the two largest: "[" + face + "," + face + "]".
    const budget = size(1) + size(3) + 3;

    // Act
    const { faces, faceCount } = compactFaces(details, budget);

    // Assess
    expect(faceCount).toBe(4);
    expect(faces.map((f) => f.box.width)).toEqual([0.5, 0.3]);
  });

  it('compacts no faces to an empty list', () => {
    expect(compactFaces([])).toEqual({ faces: [], faceCount: 0 });
  });
});

describe('withinBudget', () => {
  it('keeps the best-scored entries that fit, in their original order', () => {
    // Prepare
    const entries = [
      { id: 'a', score: 1 },
      { id: 'b', score: 3 },
      { id: 'c', score: 2 },
    ];
    const one = JSON.stringify(entries[0]).length;

    // Act
    const kept = withinBudget(entries, 2 + one * 2 + 1, (e) => e.score);

    // Assess
    expect(kept.map((e) => e.id)).toEqual(['b', 'c']);
    expect(withinBudget(entries, 10_000, (e) => e.score)).toEqual(entries);
  });
});
