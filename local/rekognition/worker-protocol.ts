/** Messages between the worker pool (main thread) and an analyzer worker thread. */
import type { DecodedImage, RgbImage } from './image-source';
import type { OperationName } from './operation-names';

export interface AnalyzeTask {
  type: 'task';
  id: number;
  op: OperationName;
  image: DecodedImage;
  /** The operation's parsed parameters (plain JSON: sets are sent as arrays). */
  params: unknown;
}

/**
 * One model analysis of one image, shared by every operation that needs it (image-analyses.ts); the
 * worker answers with the model's output, and the main thread builds each operation's response from it.
 */
export type AnalysisName = 'faces' | 'objects' | 'moderation' | 'text';

export interface AnalysisTask {
  type: 'analysis';
  id: number;
  analysis: AnalysisName;
  image: RgbImage;
  /** For `text`: the size DetectText's profile reads at; `ocrGate`: whether text-analysis.ts may skip it. */
  textTarget?: { width: number; height: number };
  ocrGate?: boolean;
}

export type ToWorker = AnalyzeTask | AnalysisTask | { type: 'preload'; ops: OperationName[] } | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'preloaded'; ms: number; error?: string }
  | { type: 'result'; id: number; ok: true; value: unknown; ms: number }
  | { type: 'result'; id: number; ok: false; error: { name: string; message: string } }
  | { type: 'closed' };

export interface WorkerInit {
  /** Minimum BlazeFace score for a face to be reported. */
  minFaceDetectorScore?: number;
}
