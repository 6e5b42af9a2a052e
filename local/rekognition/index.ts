/**
 * A Rekognition-compatible HTTP endpoint backed by open models shipped in npm packages
 * (Human: faces; CenterNet: COCO objects; nsfwjs: moderation; tesseract.js: text). No AWS account, no network.
 *
 *   const rek = await startRekognitionServer({ readS3Object });
 *   new RekognitionClient({ endpoint: rek.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
 *   await rek.close();
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { FaultInjector, parseFaultConfig, type FaultConfig } from './faults';
import type { ReadS3Object } from './image-source';
import { ImageAnalyses, type ImageAnalysesStats } from './image-analyses';
import { DEFAULT_MIN_FACE_DETECTOR_SCORE } from './models/human-faces';
import { OPERATIONS, type OperationName } from './operation-names';
import { CollectionOperations } from './collections/collection-operations';
import { CollectionStore } from './collections/collection-store';
import { createRekognitionHandler, facesAnalyzer, type RequestLogEntry } from './rekognition-server';
import { parseTpsQuota, TpsQuota, type TpsQuotaConfig } from './tps-quota';
import { WorkerPool, type PoolStats } from './worker-pool';

export { ANALYZER_NAME, ANALYZER_VERSIONS } from './analyzer-name';
export type { FaultConfig, OperationFault } from './faults';
export type { ReadS3Object } from './image-source';
export type { OperationName } from './operation-names';
export type { QuotaCounters, TpsQuotaConfig } from './tps-quota';
export { OPERATIONS } from './operation-names';

export interface RekognitionServerOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Worker threads, one model set each (default os.availableParallelism()). */
  workers?: number;
  /** Requests that may wait for a busy worker before ThrottlingException (default 4 per worker). */
  maxQueue?: number;
  /** Reads Image.S3Object; without it S3Object requests fail with InvalidS3ObjectException. */
  readS3Object?: ReadS3Object;
  /** Injected faults; when absent, env PICFLOW_FAULTS (JSON) is used. */
  faults?: FaultConfig;
  /**
   * Per-operation TPS quota, like an AWS account's: a number for every operation or
   * `{ DetectFaces: 2, ... }`; calls over it get ProvisionedThroughputExceededException (HTTP 400).
   * When absent, env PICFLOW_REKOGNITION_TPS (`2` or JSON); unset = no quota.
   */
  tps?: TpsQuotaConfig;
  /** Load models at start: true = all four, or a list of operations; default false (lazy, per worker). */
  preload?: boolean | OperationName[];
  /** Minimum BlazeFace score for a face (default 0.5). */
  minFaceDetectorScore?: number;
  /** Where face collections persist (a LevelDB directory); absent = in memory, gone at close. */
  collectionsDir?: string;
  /**
   * `v2` (default): the image is decoded once and each model analysis runs once per image, shared by the
   * operations (image-analyses.ts); OCR is skipped where there is no text; DetectLabels adds Person/Text.
   * `v1`: the previous release's analyzer (each call decodes and analyses alone), kept so `npm run bench`
   * can compare both on one machine. When absent, env PICFLOW_LOCAL_ANALYZER (`v1` or `v2`).
   */
  analyzer?: AnalyzerGeneration;
  /** v2 only: whether OCR may be skipped where a look at the image's own size finds no text (default true). */
  ocrGate?: boolean;
  /** Called after every request (for logs and tests). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export type AnalyzerGeneration = 'v1' | 'v2';

export function parseAnalyzerGeneration(value: string | undefined): AnalyzerGeneration {
  if (value === undefined || value === '' || value === 'v2') return 'v2';
  if (value === 'v1') return 'v1';
  throw new Error(`PICFLOW_LOCAL_ANALYZER must be v1 or v2, got "${value}"`);
}

export interface RekognitionServer {
  /** e.g. http://127.0.0.1:41234 — pass as the RekognitionClient endpoint or the CLI's --endpoint-url. */
  endpoint: string;
  port: number;
  /** Reconfigure or reset injected faults at run time; per-operation counters in faults.stats(). */
  faults: FaultInjector;
  /** The TPS quota in force (none unless configured); per-operation calls and refusals in quota.stats(). */
  quota: TpsQuota;
  stats(): PoolStats;
  /** v2: decodes, analyses run and reused, and what the OCR gate decided; undefined under v1. */
  analysisStats(): ImageAnalysesStats | undefined;
  close(): Promise<void>;
}

export async function startRekognitionServer(options: RekognitionServerOptions = {}): Promise<RekognitionServer> {
  const workers = options.workers ?? Math.max(1, os.availableParallelism());
  const faults = new FaultInjector(options.faults ?? parseFaultConfig(process.env.PICFLOW_FAULTS));
  const quota = new TpsQuota(options.tps ?? parseTpsQuota(process.env.PICFLOW_REKOGNITION_TPS));
  const preload = options.preload === true ? [...OPERATIONS] : options.preload || [];
  const pool = await WorkerPool.start({
    workers,
    maxQueue: options.maxQueue ?? workers * 4,
    preload,
    workerInit: { minFaceDetectorScore: options.minFaceDetectorScore ?? DEFAULT_MIN_FACE_DETECTOR_SCORE },
  });

  const analyzer = options.analyzer ?? parseAnalyzerGeneration(process.env.PICFLOW_LOCAL_ANALYZER);
  const analyses = analyzer === 'v2' ? new ImageAnalyses(pool, { ocrGate: options.ocrGate }) : undefined;
  let store: CollectionStore;
  try {
    store = await CollectionStore.open(options.collectionsDir);
  } catch (err) {
    await pool.close();
    throw err;
  }
  const collections = new CollectionOperations(store, facesAnalyzer({ pool, readS3Object: options.readS3Object }));
  const server = http.createServer(
    createRekognitionHandler({
      pool,
      faults,
      quota,
      readS3Object: options.readS3Object,
      analyses,
      collections,
      onRequest: options.onRequest,
    }),
  );
  server.keepAliveTimeout = 5000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await pool.close();
    await store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    faults,
    quota,
    stats: () => pool.stats(),
    analysisStats: () => analyses?.stats(),
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await pool.close();
        await store.close();
      })();
      return closing;
    },
  };
}
