/**
 * COCO objects with the CenterNet graph model shipped in @vladmandic/human (models/centernet.json),
 * run directly rather than through Human: Human stretches the image to a 512x512 square, which on
 * chelsea.png (a cat, 3:2) answers "dog" 0.47; an aspect-preserving letterbox answers "cat" 0.52.
 * An object that fills the frame is missed (opencv's orange.jpg: "orange" 0.05); shrunk to 60 % inside a
 * grey border it scores 0.41, so a frame with no confident object is looked at a second time that way.
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
  /** Below this best score in the full view, the zoomed-out view runs too (0 = never). */
  zoomOutBelow?: number;
}

/** The zoomed-out view: the image at this share of the input size, centred on grey (COCO-style padding). */
const ZOOM_OUT = 0.6;
const PAD_GREY = 128;

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
  private readonly zoomOutBelow: number;
  /** Images that needed the zoomed-out view (for the analysis stats and the calibration script). */
  zoomedOut = 0;

  constructor(options: ObjectModelOptions = {}) {
    this.minScore = options.minScore ?? 0.1;
    this.classIou = options.classIou ?? 0.45;
    this.crossClassIou = options.crossClassIou ?? 0.7;
    this.zoomOutBelow = options.zoomOutBelow ?? 0.3;
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
    let candidates = await this.view(rgb, width, height, 1);
    if (this.zoomOutBelow > 0 && !candidates.some((c) => c.score >= this.zoomOutBelow)) {
      this.zoomedOut++;
      candidates = candidates.concat(await this.view(rgb, width, height, ZOOM_OUT));
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

  /** One CenterNet pass with the image scaled to `zoom` of the input size (1: top-left letterbox; else centred on grey). */
  private async view(rgb: Uint8Array, width: number, height: number, zoom: number): Promise<ObjectObservation[]> {
    const s = this.inputSize;
    const scale = (s * zoom) / Math.max(width, height);
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const [top, left] = zoom === 1 ? [0, 0] : [Math.floor((s - h) / 2), Math.floor((s - w) / 2)];
    const input = tf.tidy(() => {
      const img = tf.tensor3d(Float32Array.from(rgb), [height, width, 3], 'float32');
      // Half-pixel centres when shrinking past the input size (the zoomed-out view): plain bilinear aliases.
      const resized = tf.image.resizeBilinear(img, [h, w], false, zoom !== 1);
      return tf
        .pad(
          resized,
          [
            [top, s - h - top],
            [left, s - w - left],
            [0, 0],
          ],
          zoom === 1 ? 0 : PAD_GREY,
        )
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
      const l = Math.min(1, Math.max(0, (x1! - left) / scale / width));
      const t = Math.min(1, Math.max(0, (y1! - top) / scale / height));
      const r = Math.min(1, Math.max(0, (x2! - left) / scale / width));
      const b = Math.min(1, Math.max(0, (y2! - top) / scale / height));
      if (r <= l || b <= t) continue;
      candidates.push({ label, score: score!, box: [l, t, r - l, b - t] });
    }
    return candidates;
  }
}
