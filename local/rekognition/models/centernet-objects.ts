/**
 * COCO objects with the CenterNet graph model shipped in @vladmandic/human (models/centernet.json),
 * run directly rather than through Human: Human stretches the image to a 512x512 square, which on
 * chelsea.png (a cat, 3:2) answers "dog" 0.47; an aspect-preserving letterbox answers "cat" 0.52.
 */
import * as path from 'node:path';
import { COCO_CLASSES, type CocoClass } from './coco-classes';
import { humanModelsDir } from './model-paths';
import { diskIOHandler, initTfjsWasm, tf } from './tfjs-runtime';

export interface ObjectObservation {
  label: CocoClass;
  /** CenterNet score 0..1 (uncalibrated: clear objects score 0.45-0.6). */
  score: number;
  /** [left, top, width, height], ratios of the image size, clipped to the image. */
  box: [number, number, number, number];
}

export interface ObjectModelOptions {
  /** Candidates below this score are dropped before NMS. */
  minScore?: number;
  /** Same-class boxes overlapping more than this are one object. */
  classIou?: number;
  /** Different-class boxes overlapping more than this are the same object seen as two classes: keep the best. */
  crossClassIou?: number;
}

function iou(a: [number, number, number, number], b: [number, number, number, number]): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

export class ObjectModel {
  private model?: tf.GraphModel;
  private inputSize = 512;
  private loading?: Promise<void>;
  private readonly minScore: number;
  private readonly classIou: number;
  private readonly crossClassIou: number;

  constructor(options: ObjectModelOptions = {}) {
    this.minScore = options.minScore ?? 0.25;
    this.classIou = options.classIou ?? 0.45;
    this.crossClassIou = options.crossClassIou ?? 0.7;
  }

  load(): Promise<void> {
    this.loading ??= (async () => {
      await initTfjsWasm();
      const model = await tf.loadGraphModel(diskIOHandler(path.join(humanModelsDir(), 'centernet.json')));
      const input = Object.values((model.modelSignature as { inputs?: Record<string, unknown> } | undefined)?.inputs ?? {})[0] as
        | { tensorShape?: { dim?: { size: string }[] } }
        | undefined;
      const size = Number(input?.tensorShape?.dim?.[2]?.size);
      if (size > 0) this.inputSize = size;
      this.model = model;
    })();
    return this.loading;
  }

  async detect(rgb: Uint8Array, width: number, height: number): Promise<ObjectObservation[]> {
    await this.load();
    const s = this.inputSize;
    const scale = s / Math.max(width, height);
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const input = tf.tidy(() => {
      const img = tf.tensor3d(Float32Array.from(rgb), [height, width, 3], 'float32');
      const resized = tf.image.resizeBilinear(img, [h, w]);
      return tf
        .pad(resized, [
          [0, s - h],
          [0, s - w],
          [0, 0],
        ])
        .expandDims(0);
    });
    let rows: number[][];
    try {
      const out = this.model!.execute(input, ['tower_0/detections']) as tf.Tensor;
      rows = ((await out.array()) as number[][][])[0]!;
      out.dispose();
    } finally {
      input.dispose();
    }
    const candidates: ObjectObservation[] = [];
    for (const [x1, y1, x2, y2, score, cls] of rows) {
      if (!(score! >= this.minScore)) continue;
      const label = COCO_CLASSES[Math.round(cls!)];
      if (!label) continue;
      const left = Math.min(1, Math.max(0, x1! / scale / width));
      const top = Math.min(1, Math.max(0, y1! / scale / height));
      const right = Math.min(1, Math.max(0, x2! / scale / width));
      const bottom = Math.min(1, Math.max(0, y2! / scale / height));
      if (right <= left || bottom <= top) continue;
      candidates.push({ label, score: score!, box: [left, top, right - left, bottom - top] });
    }
    candidates.sort((a, b) => b.score - a.score);
    const kept: ObjectObservation[] = [];
    for (const c of candidates) {
      const suppressed = kept.some((k) => {
        const overlap = iou(k.box, c.box);
        return k.label === c.label ? overlap > this.classIou : overlap > this.crossClassIou;
      });
      if (!suppressed) kept.push(c);
    }
    return kept;
  }
}
