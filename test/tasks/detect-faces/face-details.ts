/** Rekognition FaceDetail test data, shaped like real DetectFaces responses (Attributes ['ALL']). Fresh objects every call. */
import type { FaceDetail } from '@aws-sdk/client-rekognition';

const EMOTION_TYPES = ['HAPPY', 'CALM', 'SURPRISED', 'CONFUSED', 'SAD', 'ANGRY', 'DISGUSTED', 'FEAR'] as const;

/** One smiling face like astronaut.png's, with the long tail of near-zero emotions Rekognition reports. */
export function smilingFace(overrides: Partial<FaceDetail> = {}): FaceDetail {
  return {
    BoundingBox: { Width: 0.20453211665153503, Height: 0.2849871814250946, Left: 0.44083288311958313, Top: 0.12371648848056793 },
    AgeRange: { Low: 38, High: 46 },
    Smile: { Value: true, Confidence: 98.47654724121094 },
    Eyeglasses: { Value: false, Confidence: 99.98271942138672 },
    Sunglasses: { Value: false, Confidence: 99.99988555908203 },
    Gender: { Value: 'Female', Confidence: 99.9571762084961 },
    Beard: { Value: false, Confidence: 99.81 },
    Mustache: { Value: false, Confidence: 99.9 },
    EyesOpen: { Value: true, Confidence: 98.21337127685547 },
    MouthOpen: { Value: true, Confidence: 91.4213 },
    Emotions: [
      { Type: 'CALM', Confidence: 0.7161 },
      { Type: 'HAPPY', Confidence: 97.8662 },
      { Type: 'SURPRISED', Confidence: 6.3271 },
      { Type: 'FEAR', Confidence: 0.0043 },
      { Type: 'SAD', Confidence: 0.0121 },
      { Type: 'CONFUSED', Confidence: 0.0213 },
      { Type: 'ANGRY', Confidence: 0.0318 },
      { Type: 'DISGUSTED', Confidence: 0.0165 },
    ],
    Landmarks: [
      { Type: 'eyeLeft', X: 0.4937, Y: 0.2356 },
      { Type: 'eyeRight', X: 0.5867, Y: 0.2406 },
      { Type: 'nose', X: 0.5386, Y: 0.2964 },
    ],
    Pose: { Roll: 1.47, Yaw: -0.61, Pitch: 7.11 },
    Quality: { Brightness: 77.72, Sharpness: 83.14 },
    Confidence: 99.99994659423828,
    FaceOccluded: { Value: false, Confidence: 99.82 },
    EyeDirection: { Yaw: -3.1, Pitch: -6.2, Confidence: 99.6 },
    ...overrides,
  };
}

/** A crowd: `count` faces at different places and sizes, each scoring every emotion as strongly as `emotionStrength`. */
export function crowd(count: number, emotionStrength = 'typical' as 'typical' | 'strong'): FaceDetail[] {
  return Array.from({ length: count }, (_, i) =>
    smilingFace({
      BoundingBox: {
        Width: 0.0312345 + (i % 7) / 1000,
        Height: 0.0498765,
        Left: (i % 10) / 10 + 0.0123456,
        Top: Math.floor(i / 10) / 10 + 0.0234567,
      },
      Emotions: EMOTION_TYPES.map((Type, k) => ({
        Type,
        // typical: one dominant emotion and a near-zero tail; strong: all eight between 10 and 18%.
        Confidence: emotionStrength === 'strong' ? 10.123456 + k : k === 0 ? 96.54321 : 0.012345 * (k + 1),
      })),
    }),
  );
}
