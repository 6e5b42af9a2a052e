/**
 * Per-image shared work in the main thread: the image is decoded once, and each model analysis (faces,
 * objects, moderation, text) runs once, whichever operations ask for it and in whatever order. Keyed by a
 * hash of the image bytes, so the four calls a pipeline makes for one image (they arrive at once) share it.
 * Each analysis is its own pool task, so one image's analyses still spread over the workers.
 */
import { createHash } from 'node:crypto';
import type { DetectLabelsImageProperties } from '@aws-sdk/client-rekognition';
import type { ObjectObservation } from './models/centernet-objects';
import type { FaceObservation } from './models/human-faces';
import type { NsfwScores } from './models/nsfw-classifier';
import { decodeOriented, profileSize, resizeRgb, rgbForOperation, type RgbImage } from './image-source';
import type { RegionQuality } from './pixel-stats';
import type { OcrGateDecision, TextAnalysis } from './text-analysis';
import type { WorkerPool } from './worker-pool';
import type { AnalysisName } from './worker-protocol';

export interface FacesAnalysis {
  faces: (FaceObservation & { quality: RegionQuality })[];
  width: number;
  height: number;
}

export interface ObjectsAnalysis {
  objects: ObjectObservation[];
  quality: RegionQuality;
  /** DetectLabels' IMAGE_PROPERTIES with the most colours a request may ask for (each request cuts its own). */
  properties: DetectLabelsImageProperties;
}

interface AnalysisResults {
  faces: FacesAnalysis;
  objects: ObjectsAnalysis;
  moderation: NsfwScores;
  text: TextAnalysis;
}

export interface ImageAnalysesStats {
  /** Images decoded (once each while remembered). */
  decodes: number;
  /** Model analyses run in a worker / answered from an earlier call on the same image. */
  analyses: number;
  reused: number;
  /** What the OCR gate decided, per text analysis. */
  ocr: Record<OcrGateDecision, number>;
}

interface Entry {
  pixels?: Promise<RgbImage>;
  results: Partial<{ [K in AnalysisName]: Promise<AnalysisResults[K]> }>;
  /** Analyses started and not yet settled: the decoded pixels are dropped when none is left. */
  pending: number;
}

export interface ImageAnalysesOptions {
  /** Images remembered (least recently used first out); only results are kept, pixels only while in use. */
  maxImages?: number;
  /** Whether OCR may be skipped where a look at the image's own size finds no text (text-analysis.ts). */
  ocrGate?: boolean;
}

export class ImageAnalyses {
  private readonly entries = new Map<string, Entry>();
  private readonly counts: ImageAnalysesStats = { decodes: 0, analyses: 0, reused: 0, ocr: { direct: 0, skipped: 0, enlarged: 0 } };
  private readonly maxImages: number;
  private readonly ocrGate: boolean;

  constructor(
    private readonly pool: WorkerPool,
    options: ImageAnalysesOptions = {},
  ) {
    this.maxImages = options.maxImages ?? 32;
    this.ocrGate = options.ocrGate ?? true;
  }

  /** The analysis of these image bytes, run at most once while the image is remembered. */
  get<K extends AnalysisName>(bytes: Buffer, analysis: K): Promise<AnalysisResults[K]> {
    const key = createHash('sha256').update(bytes).digest('hex');
    let entry = this.entries.get(key);
    if (entry) this.entries.delete(key);
    else entry = { results: {}, pending: 0 };
    this.entries.set(key, entry); // most recently used last
    while (this.entries.size > this.maxImages) this.entries.delete(this.entries.keys().next().value as string);

    const known = entry.results[analysis];
    if (known) {
      this.counts.reused += 1;
      return known as Promise<AnalysisResults[K]>;
    }
    const started = this.run(entry, bytes, analysis);
    entry.results[analysis] = started as never;
    // A failure is not remembered: the caller's retry runs the analysis again.
    started.catch(() => {
      if (entry.results[analysis] === started) delete entry.results[analysis];
    });
    return started;
  }

  stats(): ImageAnalysesStats {
    return { ...this.counts, ocr: { ...this.counts.ocr } };
  }

  private async run<K extends AnalysisName>(entry: Entry, bytes: Buffer, analysis: K): Promise<AnalysisResults[K]> {
    entry.pending += 1;
    try {
      if (!entry.pixels) {
        this.counts.decodes += 1;
        entry.pixels = decodeOriented(bytes);
      }
      const pixels = await entry.pixels;
      this.counts.analyses += 1;
      const result = (await this.pool.analyze(await this.input(analysis, pixels))) as AnalysisResults[K];
      if (analysis === 'text') this.counts.ocr[(result as TextAnalysis).gate] += 1;
      return result;
    } finally {
      entry.pending -= 1;
      if (entry.pending === 0) entry.pixels = undefined;
    }
  }

  /** Each analysis' input resized from the shared pixels, with the same profile as each operation had. */
  private async input(analysis: AnalysisName, pixels: RgbImage): Promise<Parameters<WorkerPool['analyze']>[0]> {
    switch (analysis) {
      case 'faces':
        return { analysis, image: await rgbForOperation('DetectFaces', pixels) };
      case 'objects':
        return { analysis, image: await rgbForOperation('DetectLabels', pixels) };
      case 'moderation':
        return { analysis, image: await rgbForOperation('DetectModerationLabels', pixels) };
      case 'text': {
        // OCR reads at its profile size; the worker enlarges (only if the gate lets it) from the image's own size.
        const target = profileSize('DetectText', pixels.width, pixels.height);
        const image = target.width < pixels.width ? await resizeRgb(pixels, target) : pixels;
        return { analysis, image, textTarget: target, ocrGate: this.ocrGate };
      }
    }
  }
}
