import { compactLabels, MAX_INSTANCES_PER_LABEL, MAX_INSTANCES_TOTAL } from '../../../tasks/detect-labels-and-text/compact-labels';
import { compactText, MAX_LINE_CHARS, MAX_TEXT_LINES } from '../../../tasks/detect-labels-and-text/compact-text';
import { labelsResponse, textResponse } from './responses';

describe('Function: compactLabels', () => {
  it('keeps name, confidence, parent names and instance boxes', () => {
    // Act
    const labels = compactLabels(labelsResponse().Labels ?? []);

    // Assess
    expect(labels).toEqual([
      {
        name: 'Cat',
        confidence: 99.41,
        parents: ['Pet', 'Mammal', 'Animal'],
        instances: [{ box: { left: 0.2012, top: 0.0543, width: 0.6123, height: 0.8988 }, confidence: 97.65 }],
      },
      { name: 'Animal', confidence: 99.41, parents: [], instances: [] },
    ]);
  });

  it(`keeps at most ${MAX_INSTANCES_PER_LABEL} instances per label`, () => {
    // Prepare
    const instances = Array.from({ length: 60 }, (_, i) => ({
      BoundingBox: { Width: 0.01, Height: 0.02, Left: i / 100, Top: 0 },
      Confidence: 90,
    }));

    // Act
    const [person] = compactLabels([{ Name: 'Person', Confidence: 99, Instances: instances }]);

    // Assess
    expect(person.instances).toHaveLength(MAX_INSTANCES_PER_LABEL);
  });

  it(`keeps at most ${MAX_INSTANCES_TOTAL} instances over all labels, the first labels first, and every label`, () => {
    // Prepare: 10 labels with 20 boxes each
    const instances = Array.from({ length: 20 }, (_, i) => ({
      BoundingBox: { Width: 0.01, Height: 0.02, Left: i / 100, Top: 0 },
      Confidence: 90,
    }));
    const labels = Array.from({ length: 10 }, (_, i) => ({ Name: `Label ${i}`, Confidence: 99 - i, Instances: instances }));

    // Act
    const compact = compactLabels(labels);

    // Assess
    expect(compact).toHaveLength(10);
    expect(compact.map((l) => l.instances.length)).toEqual([20, 20, 20, 20, 20, 0, 0, 0, 0, 0]);
  });
});

describe('Function: compactText', () => {
  it('keeps LINE detections at or above the confidence threshold, with their boxes', () => {
    // Act
    const lines = compactText(textResponse().TextDetections ?? [], 80);

    // Assess
    expect(lines).toEqual([{ text: 'The quick brown fox', confidence: 99.12, box: { left: 0.1, top: 0.2, width: 0.4, height: 0.05 } }]);
  });

  it.each([
    [41.2, 2],
    [41.3, 1],
    [100, 0],
  ])('with a threshold of %d keeps %i lines', (threshold, expected) => {
    expect(compactText(textResponse().TextDetections ?? [], threshold)).toHaveLength(expected);
  });

  it(`keeps at most ${MAX_TEXT_LINES} lines of at most ${MAX_LINE_CHARS} characters`, () => {
    // Prepare: 150 lines of 300 characters, the last being an emoji that must not be cut in half.
    const long = `${'a'.repeat(MAX_LINE_CHARS - 1)}😀${'b'.repeat(100)}`;
    const detections = Array.from({ length: 150 }, (_, i) => ({ DetectedText: long, Type: 'LINE' as const, Id: i, Confidence: 95 }));

    // Act
    const lines = compactText(detections, 80);

    // Assess
    expect(lines).toHaveLength(MAX_TEXT_LINES);
    expect(Array.from(lines[0].text)).toHaveLength(MAX_LINE_CHARS);
    expect(lines[0].text.endsWith('😀')).toBe(true);
    expect(lines[0].box).toBeUndefined();
  });
});
