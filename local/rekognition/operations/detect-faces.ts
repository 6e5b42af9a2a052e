/**
 * DetectFaces: request parameters → FaceModel observations → Rekognition DetectFacesResponse.
 * Attributes: absent/["DEFAULT"] → BoundingBox, Confidence, Landmarks, Pose, Quality;
 * ["ALL"] → every attribute; individual names add that attribute to the default set.
 */
import type { DetectFacesResponse, Emotion, FaceDetail, Landmark } from '@aws-sdk/client-rekognition';
import type { FaceObservation } from '../models/human-faces';
import type { RegionQuality } from '../pixel-stats';
import { boundingBox, invalid, optionalStringArray, pct, ratio } from './request-params';

const ATTRIBUTES = [
  'DEFAULT',
  'ALL',
  'AGE_RANGE',
  'BEARD',
  'EMOTIONS',
  'EYE_DIRECTION',
  'EYEGLASSES',
  'EYES_OPEN',
  'GENDER',
  'MOUTH_OPEN',
  'MUSTACHE',
  'FACE_OCCLUDED',
  'SMILE',
  'SUNGLASSES',
] as const;
type Attribute = (typeof ATTRIBUTES)[number];

export interface DetectFacesParams {
  attributes: Set<Attribute>;
  /** Internal (collection operations): also return each face's descriptor. Never set from a DetectFaces request. */
  withEmbeddings?: boolean;
}

/** What the worker answers for the collection operations: the DetectFaces body plus one descriptor per face. */
export interface FacesWithEmbeddings extends DetectFacesResponse {
  Embeddings: (number[] | undefined)[];
}

/** Rekognition returns at most the 100 largest faces. */
export const MAX_FACES = 100;

export function parseDetectFacesParams(body: Record<string, unknown>): DetectFacesParams {
  const list = optionalStringArray(body.Attributes, 'Attributes') ?? ['DEFAULT'];
  for (const a of list) {
    if (!(ATTRIBUTES as readonly string[]).includes(a)) {
      throw invalid(
        `1 validation error detected: Value '[${list.join(', ')}]' at 'attributes' failed to satisfy constraint: Member must satisfy ` +
          `enum value set: [${ATTRIBUTES.join(', ')}]`,
      );
    }
  }
  const attributes = new Set(list as Attribute[]);
  if (attributes.has('ALL')) for (const a of ATTRIBUTES) attributes.add(a);
  return { attributes };
}

/** DetectionAttributes of IndexFaces / SearchUsersByImage: the same values and meaning as DetectFaces' Attributes. */
export function parseDetectionAttributes(value: unknown): DetectFacesParams {
  return { ...parseDetectFacesParams({ Attributes: value }), withEmbeddings: true };
}

/** Human's emotion classes → Rekognition's. Rekognition also has CONFUSED, which no model here predicts (reported 0). */
const EMOTION_TYPES: Record<string, Emotion['Type']> = {
  happy: 'HAPPY',
  sad: 'SAD',
  angry: 'ANGRY',
  disgust: 'DISGUSTED',
  surprise: 'SURPRISED',
  neutral: 'CALM',
  fear: 'FEAR',
};
const ALL_EMOTIONS: NonNullable<Emotion['Type']>[] = ['HAPPY', 'SAD', 'ANGRY', 'CONFUSED', 'DISGUSTED', 'SURPRISED', 'CALM', 'FEAR'];

/**
 * MediaPipe FaceMesh indices for Rekognition's landmarks. Rekognition's "left" is the left of the image
 * (the subject's right eye), which in MediaPipe's numbering is the 33/133/159/145 eye.
 */
const LANDMARK_POINTS: Record<string, number | [number, number]> = {
  eyeLeft: [33, 133],
  eyeRight: [362, 263],
  nose: 1,
  mouthLeft: 61,
  mouthRight: 291,
  leftEyeBrowLeft: 70,
  leftEyeBrowUp: 105,
  leftEyeBrowRight: 107,
  rightEyeBrowLeft: 336,
  rightEyeBrowUp: 334,
  rightEyeBrowRight: 300,
  leftEyeLeft: 33,
  leftEyeRight: 133,
  leftEyeUp: 159,
  leftEyeDown: 145,
  rightEyeLeft: 362,
  rightEyeRight: 263,
  rightEyeUp: 386,
  rightEyeDown: 374,
  noseLeft: 98,
  noseRight: 327,
  mouthUp: 0,
  mouthDown: 17,
  upperJawlineLeft: 234,
  midJawlineLeft: 172,
  chinBottom: 152,
  midJawlineRight: 397,
  upperJawlineRight: 454,
};

type Pt = [number, number];

function point(mesh: Pt[], ref: number | [number, number]): Pt | undefined {
  if (typeof ref === 'number') return mesh[ref];
  const a = mesh[ref[0]];
  const b = mesh[ref[1]];
  return a && b ? [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] : undefined;
}

/** Mean of mesh points [from, from+5) (an iris: centre + 4 rim points), if present. */
function irisCentre(mesh: Pt[], from: number): Pt | undefined {
  const pts = mesh.slice(from, from + 5);
  if (pts.length < 5) return undefined;
  return [pts.reduce((s, p) => s + p[0], 0) / 5, pts.reduce((s, p) => s + p[1], 0) / 5];
}

function landmarks(mesh: Pt[]): Landmark[] {
  const out: Landmark[] = [];
  for (const [type, ref] of Object.entries(LANDMARK_POINTS)) {
    const p = point(mesh, ref);
    if (p) out.push({ Type: type as Landmark['Type'], X: ratio(p[0]), Y: ratio(p[1]) });
  }
  // Pupils: the two iris centres (478-point mesh), assigned by image side; else the eye centres.
  const irises = [irisCentre(mesh, 468), irisCentre(mesh, 473)].filter((p): p is Pt => !!p).sort((a, b) => a[0] - b[0]);
  const left = irises[0] ?? point(mesh, LANDMARK_POINTS.eyeLeft!);
  const right = irises[1] ?? point(mesh, LANDMARK_POINTS.eyeRight!);
  if (left) out.push({ Type: 'leftPupil', X: ratio(left[0]), Y: ratio(left[1]) });
  if (right) out.push({ Type: 'rightPupil', X: ratio(right[0]), Y: ratio(right[1]) });
  return out;
}

/** Distance in pixel-proportional units (ratios scaled by the image aspect). */
function dist(mesh: Pt[], a: number, b: number, aspect: number): number | undefined {
  const p = mesh[a];
  const q = mesh[b];
  if (!p || !q) return undefined;
  return Math.hypot((p[0] - q[0]) * aspect, p[1] - q[1]);
}

/** A yes/no attribute from a continuous measure and its threshold: confidence grows with the margin. */
function decide(value: number, threshold: number, spread: number): { Value: boolean; Confidence: number } {
  const margin = Math.min(1, Math.abs(value - threshold) / spread);
  return { Value: value > threshold, Confidence: pct(50 + 49.9 * margin) };
}

const deg = (rad: number): number => Math.round(((rad * 180) / Math.PI) * 1e4) / 1e4;

export interface FaceInput extends FaceObservation {
  quality?: RegionQuality;
}

export function faceDetail(face: FaceInput, params: DetectFacesParams, imageWidth: number, imageHeight: number): FaceDetail {
  const a = params.attributes;
  const aspect = imageWidth / imageHeight;
  const detail: FaceDetail = {
    BoundingBox: boundingBox(face.box),
  };
  if (a.has('AGE_RANGE') && face.age !== undefined) {
    detail.AgeRange = {
      Low: Math.max(0, Math.floor(face.age * 0.85 - 2)),
      High: Math.max(1, Math.ceil(face.age * 1.15 + 2)),
    };
  }
  const happy = face.emotions.find((e) => e.emotion === 'happy')?.score ?? 0;
  if (a.has('SMILE')) detail.Smile = decide(happy, 0.5, 0.5);
  if (a.has('GENDER') && face.gender) {
    // Human's genderScore is the distance from the 0.5 decision boundary, 0..1.
    detail.Gender = { Value: face.gender === 'male' ? 'Male' : 'Female', Confidence: pct(50 + 50 * (face.genderScore ?? 0)) };
  }
  if (a.has('EYES_OPEN')) {
    const left = (dist(face.mesh, 159, 145, aspect) ?? 0) / (dist(face.mesh, 33, 133, aspect) || 1);
    const right = (dist(face.mesh, 386, 374, aspect) ?? 0) / (dist(face.mesh, 362, 263, aspect) || 1);
    detail.EyesOpen = decide((left + right) / 2, 0.18, 0.1);
  }
  if (a.has('MOUTH_OPEN')) {
    const opening = (dist(face.mesh, 13, 14, aspect) ?? 0) / (dist(face.mesh, 10, 152, aspect) || 1);
    detail.MouthOpen = decide(opening, 0.04, 0.04);
  }
  if (a.has('EMOTIONS')) {
    const scores = new Map<NonNullable<Emotion['Type']>, number>(ALL_EMOTIONS.map((t) => [t, 0]));
    for (const e of face.emotions) {
      const t = EMOTION_TYPES[e.emotion];
      if (t) scores.set(t, e.score * 100);
    }
    detail.Emotions = [...scores.entries()].sort((x, y) => y[1] - x[1]).map(([Type, c]) => ({ Type, Confidence: pct(c) }));
  }
  detail.Landmarks = landmarks(face.mesh);
  if (face.angle) {
    // FaceMesh head pose, radians → degrees; sign conventions not verified against Rekognition's.
    detail.Pose = { Roll: deg(face.angle.roll), Yaw: deg(face.angle.yaw), Pitch: deg(face.angle.pitch) };
  }
  if (face.quality) detail.Quality = { Brightness: pct(face.quality.brightness), Sharpness: pct(face.quality.sharpness) };
  detail.Confidence = pct(100 * (0.5 * face.boxScore + 0.5 * face.faceScore));
  if (a.has('EYE_DIRECTION') && face.gaze) {
    const maxDeg = 45;
    detail.EyeDirection = {
      Yaw: Math.round(face.gaze.strength * Math.cos(face.gaze.bearing) * maxDeg * 1e4) / 1e4,
      Pitch: Math.round(-face.gaze.strength * Math.sin(face.gaze.bearing) * maxDeg * 1e4) / 1e4,
      Confidence: pct(50 + 40 * face.faceScore),
    };
  }
  // Eyeglasses, Sunglasses, Beard, Mustache, FaceOccluded: no model here predicts them: left out.
  return detail;
}

export function buildDetectFacesResponse(
  faces: FaceInput[],
  params: DetectFacesParams,
  imageWidth: number,
  imageHeight: number,
): DetectFacesResponse | FacesWithEmbeddings {
  const largest = [...faces].sort((x, y) => y.box[2] * y.box[3] - x.box[2] * x.box[3]).slice(0, MAX_FACES);
  const FaceDetails = largest.map((f) => faceDetail(f, params, imageWidth, imageHeight));
  return params.withEmbeddings ? { FaceDetails, Embeddings: largest.map((f) => f.embedding) } : { FaceDetails };
}
