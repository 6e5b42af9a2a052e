/**
 * Face similarity on Rekognition's 0-100 scale from the cosine of two face descriptors (Human's faceres
 * "description" model, 1024 floats). The mapping is piecewise linear through anchors calibrated on the
 * multi-photo face set in test/fixtures/faces (bench/face-calibration.ts prints the rates): cosine 0.60 → 80,
 * so the default FaceMatchThreshold 80 sits between same-person (0.61-0.85) and different-person (≤ 0.63) pairs.
 */

/** [cosine, similarity] anchors, increasing. */
const ANCHORS: readonly [number, number][] = [
  [0.2, 0],
  [0.4, 50],
  [0.6, 80],
  [0.8, 99],
  [1, 100],
];

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Cosine of two descriptors → Rekognition Similarity (0-100, rounded like the service's floats). */
export function similarityFromCosine(c: number): number {
  if (c <= ANCHORS[0]![0]) return 0;
  for (let i = 1; i < ANCHORS.length; i++) {
    const [x1, y1] = ANCHORS[i]!;
    if (c <= x1) {
      const [x0, y0] = ANCHORS[i - 1]!;
      return Math.round((y0 + ((c - x0) / (x1 - x0)) * (y1 - y0)) * 1e4) / 1e4;
    }
  }
  return 100;
}

export function similarity(a: Float32Array, b: Float32Array): number {
  return similarityFromCosine(cosine(a, b));
}

/** Mean direction of descriptors (sum of unit vectors): the "user vector" a user's associated faces are searched by. */
export function centroid(vectors: readonly Float32Array[]): Float32Array | undefined {
  const first = vectors[0];
  if (!first) return undefined;
  const sum = new Float32Array(first.length);
  for (const v of vectors) {
    const n = Math.hypot(...v) || 1;
    for (let i = 0; i < v.length; i++) sum[i]! += v[i]! / n;
  }
  return sum;
}
