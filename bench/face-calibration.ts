/**
 * Calibration of the local face similarity (not a test): every pair of photos in test/fixtures/faces, the largest
 * face of each, scored as SearchFaces scores it; prints the true-match rate (same person, Similarity ≥ t) and the
 * false-match rate (different people, Similarity ≥ t) at thresholds 70, 80 and 90.
 *   npx tsx bench/face-calibration.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cosine, similarityFromCosine } from '../local/rekognition/collections/similarity';
import { decodeForOperation } from '../local/rekognition/image-source';
import { FaceModel } from '../local/rekognition/models/human-faces';

const dir = path.join(__dirname, '..', 'test', 'fixtures', 'faces');
/** family1-dad2.jpg → family1-dad: the person is the file name without its photo number. */
const personOf = (file: string): string => file.replace(/\d*\.jpg$/, '');

async function main(): Promise<void> {
  const model = new FaceModel();
  const faces: { person: string; file: string; embedding: Float32Array }[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()) {
    const img = await decodeForOperation('DetectFaces', readFileSync(path.join(dir, file)));
    if (img.kind !== 'rgb') throw new Error('expected RGB');
    const found = await model.detect(img.data, img.width, img.height);
    const largest = found.sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
    if (!largest?.embedding) console.log(`${file}: no face`);
    else faces.push({ person: personOf(file), file, embedding: Float32Array.from(largest.embedding) });
  }
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const s = similarityFromCosine(cosine(faces[i]!.embedding, faces[j]!.embedding));
      (faces[i]!.person === faces[j]!.person ? same : different).push(s);
    }
  }
  const people = new Set(faces.map((f) => f.person)).size;
  console.log(`${faces.length} photos, ${people} people: ${same.length} same-person pairs, ${different.length} different-person pairs`);
  const rate = (xs: number[], t: number) => xs.filter((x) => x >= t).length;
  for (const t of [70, 80, 90]) {
    const tm = rate(same, t);
    const fm = rate(different, t);
    console.log(
      `threshold ${t}: true matches ${tm}/${same.length} (${((100 * tm) / same.length).toFixed(1)} %), ` +
        `false matches ${fm}/${different.length} (${((100 * fm) / different.length).toFixed(1)} %)`,
    );
  }
  const fmt = (xs: number[]) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
  console.log(`similarity ranges: same person ${fmt(same)}, different people ${fmt(different)}`);
}

void main();
