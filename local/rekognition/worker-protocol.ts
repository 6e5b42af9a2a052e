/** Messages between the worker pool (main thread) and an analyzer worker thread. */
import type { DecodedImage } from './image-source';
import type { OperationName } from './operation-names';

export interface AnalyzeTask {
  type: 'task';
  id: number;
  op: OperationName;
  image: DecodedImage;
  /** The operation's parsed parameters (plain JSON: sets are sent as arrays). */
  params: unknown;
}

export type ToWorker = AnalyzeTask | { type: 'preload'; ops: OperationName[] } | { type: 'shutdown' };

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
