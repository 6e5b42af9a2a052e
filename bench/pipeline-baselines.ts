/**
 * The two designs the workflow is compared with, on the same Rekognition-compatible server (same
 * worker threads) and the same sharp thumbnail code, with the same request parameters as the tasks:
 *
 *  - bare models: per image the four analyses and the thumbnails at once (like the Parallel state),
 *    `concurrency` images in flight (like the execution runner) — no S3 event, no state machine,
 *    no ClaimImage / ValidateImage / StoreResult, no raw responses written, no DynamoDB;
 *  - sequential ("single function" of older projects): one loop, one image at a time, thumbnails,
 *    then faces, then labels, then text, then moderation.
 *
 * Images reach the server as `Image.S3Object`, read from the same local S3 as in the pipeline.
 */
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  DetectTextCommand,
  RekognitionClient,
  type Image,
} from '@aws-sdk/client-rekognition';
import { renderThumbnail, thumbnailSource } from '../tasks/create-thumbnails/render-thumbnail';
import type { PicflowConfig } from '../tasks/shared/config';

export type Step = 'thumbnails' | 'faces' | 'labels' | 'text' | 'moderation';
export const STEPS: readonly Step[] = ['thumbnails', 'faces', 'labels', 'text', 'moderation'];

export interface BaselineImage {
  name: string;
  bytes: Buffer;
  /** Where the same bytes are in the local S3 (outside the upload prefix: no execution starts). */
  s3: { bucket: string; key: string };
}

export interface ImageTiming {
  name: string;
  /** From the batch start to this image's end (queueing included), ms. */
  sinceBatchStartMs: number;
  /** From this image's start to its end (service time), ms. */
  latencyMs: number;
  /** Per step, ms (for the concurrent design: labels and text run at once, as in DetectLabelsAndText). */
  steps: Record<Step, number>;
  /** Per branch of the workflow's Parallel state, ms (labelsAndText = the slower of labels and text). */
  branches: Record<'thumbnails' | 'faces' | 'labelsAndText' | 'moderation', number>;
}

export interface BaselineResult {
  wallMs: number;
  images: ImageTiming[];
  /** SDK attempts beyond the first (ThrottlingException and 5xx retried by the client). */
  retries: number;
}

export class Analyses {
  private readonly client: RekognitionClient;
  retries = 0;

  constructor(
    endpoint: string,
    private readonly config: PicflowConfig,
  ) {
    this.client = new RekognitionClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'picflow-local', secretAccessKey: 'picflow-local' },
      maxAttempts: 3,
    });
  }

  private image(image: BaselineImage): Image {
    return { S3Object: { Bucket: image.s3.bucket, Name: image.s3.key } };
  }

  private count<T extends { $metadata: { attempts?: number } }>(response: T): T {
    this.retries += Math.max(0, (response.$metadata.attempts ?? 1) - 1);
    return response;
  }

  async run(step: Step, image: BaselineImage): Promise<number> {
    const start = performance.now();
    switch (step) {
      case 'thumbnails': {
        const source = thumbnailSource(image.bytes, this.config.maxImagePixels);
        await Promise.all(this.config.thumbnails.map((spec) => renderThumbnail(source, spec)));
        break;
      }
      case 'faces':
        this.count(await this.client.send(new DetectFacesCommand({ Image: this.image(image), Attributes: ['ALL'] })));
        break;
      case 'labels':
        this.count(
          await this.client.send(
            new DetectLabelsCommand({
              Image: this.image(image),
              MinConfidence: this.config.minLabelConfidence,
              MaxLabels: this.config.maxLabels,
            }),
          ),
        );
        break;
      case 'text':
        this.count(await this.client.send(new DetectTextCommand({ Image: this.image(image) })));
        break;
      case 'moderation':
        this.count(
          await this.client.send(
            new DetectModerationLabelsCommand({ Image: this.image(image), MinConfidence: this.config.minModerationConfidence }),
          ),
        );
        break;
    }
    return performance.now() - start;
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Bare models: every analysis of an image at once, `concurrency` images in flight. */
export async function runBareModels(analyses: Analyses, images: BaselineImage[], concurrency: number): Promise<BaselineResult> {
  const retriesBefore = analyses.retries;
  const batchStart = performance.now();
  const timings: ImageTiming[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < images.length) {
      const image = images[next++]!;
      const start = performance.now();
      const labelsAndText = async (): Promise<[number, number, number]> => {
        const t = performance.now();
        const [labels, text] = await Promise.all([analyses.run('labels', image), analyses.run('text', image)]);
        return [labels, text, performance.now() - t];
      };
      const [thumbnails, faces, [labels, text, lt], moderation] = await Promise.all([
        analyses.run('thumbnails', image),
        analyses.run('faces', image),
        labelsAndText(),
        analyses.run('moderation', image),
      ]);
      const end = performance.now();
      timings.push({
        name: image.name,
        sinceBatchStartMs: end - batchStart,
        latencyMs: end - start,
        steps: { thumbnails, faces, labels, text, moderation },
        branches: { thumbnails, faces, labelsAndText: lt, moderation },
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, images.length) }, lane));
  return { wallMs: performance.now() - batchStart, images: timings, retries: analyses.retries - retriesBefore };
}

/** The single-function design: one loop, one image and one analysis at a time. */
export async function runSequential(analyses: Analyses, images: BaselineImage[]): Promise<BaselineResult> {
  const retriesBefore = analyses.retries;
  const batchStart = performance.now();
  const timings: ImageTiming[] = [];
  for (const image of images) {
    const start = performance.now();
    const steps = {} as Record<Step, number>;
    for (const step of STEPS) steps[step] = await analyses.run(step, image);
    const end = performance.now();
    timings.push({
      name: image.name,
      sinceBatchStartMs: end - batchStart,
      latencyMs: end - start,
      steps,
      branches: {
        thumbnails: steps.thumbnails,
        faces: steps.faces,
        labelsAndText: steps.labels + steps.text,
        moderation: steps.moderation,
      },
    });
  }
  return { wallMs: performance.now() - batchStart, images: timings, retries: analyses.retries - retriesBefore };
}
