/** DetectLabels and DetectText responses shaped like Rekognition's (fresh objects every call). */
import type { DetectLabelsImageProperties, DetectLabelsResponse, DetectTextResponse } from '@aws-sdk/client-rekognition';

export function labelsResponse(): DetectLabelsResponse {
  return {
    Labels: [
      {
        Name: 'Cat',
        Confidence: 99.41234,
        Instances: [
          { BoundingBox: { Width: 0.61234, Height: 0.89876, Left: 0.20123, Top: 0.05432 }, Confidence: 97.6543, DominantColors: [] },
        ],
        Parents: [{ Name: 'Pet' }, { Name: 'Mammal' }, { Name: 'Animal' }],
        Aliases: [{ Name: 'Kitten' }],
        Categories: [{ Name: 'Animals and Pets' }],
      },
      { Name: 'Animal', Confidence: 99.41234, Instances: [], Parents: [], Aliases: [], Categories: [{ Name: 'Animals and Pets' }] },
    ],
    LabelModelVersion: '3.0',
  };
}

/** Colours as Rekognition reports them: the named colour's RGB and hex, largest share first. */
export function colorsResponse(count: number): DetectLabelsImageProperties['DominantColors'] {
  return Array.from({ length: count }, (_, i) => ({
    Red: 47,
    Green: 79,
    Blue: 79,
    HexCode: '#2F4F4F',
    CSSColor: i === 0 ? 'darkslategrey' : `lightgoldenrodyellow${i}`,
    SimplifiedColor: 'grey',
    PixelPercent: 39.453125 - i,
  }));
}

/** DetectLabels with Features GENERAL_LABELS and IMAGE_PROPERTIES. */
export function labelsWithPropertiesResponse(colors = 2): DetectLabelsResponse {
  const quality = { Brightness: 63.690631866, Sharpness: 80.798202514 };
  return {
    ...labelsResponse(),
    ImageProperties: {
      Quality: { Brightness: 59.910984039, Contrast: 80.382614135, Sharpness: 81.023109436 },
      DominantColors: colorsResponse(colors),
      Foreground: { Quality: quality, DominantColors: colorsResponse(colors) },
      Background: { Quality: quality, DominantColors: colorsResponse(colors) },
    },
  };
}

export function textResponse(): DetectTextResponse {
  const box = { Width: 0.4, Height: 0.05, Left: 0.1, Top: 0.2 };
  return {
    TextDetections: [
      { DetectedText: 'The quick brown fox', Type: 'LINE', Id: 0, Confidence: 99.12345, Geometry: { BoundingBox: box, Polygon: [] } },
      { DetectedText: 'smudge', Type: 'LINE', Id: 1, Confidence: 41.2, Geometry: { BoundingBox: box, Polygon: [] } },
      { DetectedText: 'The', Type: 'WORD', Id: 2, ParentId: 0, Confidence: 99.5, Geometry: { BoundingBox: box, Polygon: [] } },
    ],
    TextModelVersion: '3.0',
  };
}
