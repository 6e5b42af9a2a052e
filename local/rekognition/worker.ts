/**
 * An analyzer worker thread: owns one instance of each model (loaded lazily on first use, or on "preload"),
 * runs one task at a time (tfjs-wasm is single-threaded) and answers with a Rekognition response body.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toRekognitionError } from './errors';
import type { DecodedImage, RgbImage } from './image-source';
import { FaceModel } from './models/human-faces';
import { ObjectModel } from './models/centernet-objects';
import { NsfwModel } from './models/nsfw-classifier';
import { OcrModel } from './models/tesseract-ocr';
import { buildDetectFacesResponse, type DetectFacesParams } from './operations/detect-faces';
import { buildDetectLabelsResponse, type DetectLabelsParams } from './operations/detect-labels';
import { buildDetectModerationLabelsResponse, type DetectModerationLabelsParams } from './operations/detect-moderation-labels';
import { buildDetectTextResponse, type DetectTextParams } from './operations/detect-text';
import type { OperationName } from './operation-names';
import { imageProperties, MAX_DOMINANT_COLORS } from './image-properties';
import { regionQuality } from './pixel-stats';
import { readText } from './text-analysis';
import type { AnalysisTask, FromWorker, ToWorker, WorkerInit } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const init = (workerData ?? {}) as WorkerInit;

const faces = new FaceModel(init.minFaceDetectorScore);
const objects = new ObjectModel();
const nsfw = new NsfwModel();
const ocr = new OcrModel();

function loaderFor(op: OperationName): () => Promise<void> {
  switch (op) {
    case 'DetectFaces':
      return () => faces.load();
    case 'DetectLabels':
      return () => objects.load();
    case 'DetectModerationLabels':
      return () => nsfw.load();
    case 'DetectText':
      return () => ocr.load();
  }
}

function rgb(image: DecodedImage): RgbImage {
  if (image.kind !== 'rgb') throw new Error(`expected RGB pixels, got ${image.kind}`);
  return image;
}

/** Sets travel as arrays (structured clone keeps Sets, but keep the protocol plain). */
function withSets<T>(params: unknown, keys: string[]): T {
  const p = { ...(params as Record<string, unknown>) };
  for (const k of keys) if (Array.isArray(p[k])) p[k] = new Set(p[k] as unknown[]);
  return p as T;
}

async function run(op: OperationName, image: DecodedImage, params: unknown): Promise<unknown> {
  switch (op) {
    case 'DetectFaces': {
      const img = rgb(image);
      const found = await faces.detect(img.data, img.width, img.height);
      const withQuality = found.map((f) => ({ ...f, quality: regionQuality(img.data, img.width, img.height, f.box) }));
      return buildDetectFacesResponse(withQuality, withSets<DetectFacesParams>(params, ['attributes']), img.width, img.height);
    }
    case 'DetectLabels': {
      const img = rgb(image);
      const p = withSets<DetectLabelsParams>(params, ['include', 'exclude', 'includeCategories', 'excludeCategories']);
      const found = p.generalLabels ? await objects.detect(img.data, img.width, img.height) : [];
      const properties = p.imageProperties ? imageProperties(img.data, img.width, img.height, p.maxDominantColors) : undefined;
      return buildDetectLabelsResponse(found, p, properties);
    }
    case 'DetectModerationLabels': {
      const img = rgb(image);
      const scores = await nsfw.classify(img.data, img.width, img.height);
      return buildDetectModerationLabelsResponse(scores, params as DetectModerationLabelsParams);
    }
    case 'DetectText': {
      if (image.kind !== 'png') throw new Error('DetectText expects an encoded PNG');
      const lines = await ocr.recognize(image.data, image.width, image.height);
      return buildDetectTextResponse(lines, params as DetectTextParams);
    }
  }
}

/** A shared analysis: the models' output, from which the main thread builds every operation's response. */
async function analyze(task: AnalysisTask): Promise<unknown> {
  const img = task.image;
  switch (task.analysis) {
    case 'faces': {
      const found = await faces.detect(img.data, img.width, img.height);
      const withQuality = found.map((f) => ({ ...f, quality: regionQuality(img.data, img.width, img.height, f.box) }));
      return { faces: withQuality, width: img.width, height: img.height };
    }
    case 'objects':
      return {
        objects: await objects.detect(img.data, img.width, img.height),
        quality: regionQuality(img.data, img.width, img.height, [0, 0, 1, 1]),
        // Cheap (a sampled grid): computed with every analysis so any DetectLabels request can cut its own count.
        properties: imageProperties(img.data, img.width, img.height, MAX_DOMINANT_COLORS),
      };
    case 'moderation':
      return nsfw.classify(img.data, img.width, img.height);
    case 'text':
      return readText(ocr, img, task.textTarget ?? { width: img.width, height: img.height }, task.ocrGate !== false);
  }
}

const send = (msg: FromWorker): void => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  void (async () => {
    if (msg.type === 'task' || msg.type === 'analysis') {
      const started = performance.now();
      try {
        const value = msg.type === 'task' ? await run(msg.op, msg.image, msg.params) : await analyze(msg);
        send({ type: 'result', id: msg.id, ok: true, value, ms: performance.now() - started });
      } catch (err) {
        const e = toRekognitionError(err);
        send({ type: 'result', id: msg.id, ok: false, error: { name: e.name, message: e.message } });
      }
    } else if (msg.type === 'preload') {
      const started = performance.now();
      // Sequential: the tfjs models share one wasm backend; OCR loads in its own thread meanwhile.
      const ocrLoad = msg.ops.includes('DetectText') ? ocr.load() : Promise.resolve();
      for (const op of msg.ops) if (op !== 'DetectText') await loaderFor(op)();
      await ocrLoad;
      send({ type: 'preloaded', ms: performance.now() - started });
    } else if (msg.type === 'shutdown') {
      await ocr.close().catch(() => undefined);
      send({ type: 'closed' });
      port.close();
    }
  })().catch((err) => {
    const e = toRekognitionError(err);
    if (msg.type === 'task' || msg.type === 'analysis')
      send({ type: 'result', id: msg.id, ok: false, error: { name: e.name, message: e.message } });
    else if (msg.type === 'preload') send({ type: 'preloaded', ms: 0, error: e.message });
    else send({ type: 'closed' });
  });
});

send({ type: 'ready' });
