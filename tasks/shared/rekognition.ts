/**
 * What the three Rekognition tasks share: the S3 image reference, the call (errors renamed for the
 * state machine), the raw-response archive in S3, and the small helpers that keep results compact.
 */
import type { Image, BoundingBox as RekognitionBox, RekognitionClient } from '@aws-sdk/client-rekognition';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Analysis, PicflowConfig } from './config';
import { callAws } from './errors';
import { analysisKey, pinFor, putJson, s3Uri } from './s3-objects';
import type { AnalysisInput, BoundingBox } from './types';

/**
 * The image as Rekognition reads it: straight from S3, so the bytes never pass through the Lambda.
 * When the analysis reads the upload itself, the event's version is named so that a re-upload made
 * in the meantime is not analysed under this version's name.
 */
export function rekognitionImage(input: AnalysisInput): Image {
  const { analysisObject } = input.validation;
  const version = pinFor(analysisObject, input.image)?.versionId;
  return {
    S3Object: { Bucket: analysisObject.bucket, Name: analysisObject.key, ...(version ? { Version: version } : {}) },
  };
}

/**
 * Runs one Rekognition call. Failures are renamed by callAws: throttling and 5xx become the canonical
 * transient names the definition retries; anything else (InvalidImageFormatException, ...) keeps its
 * name as `Rekognition.<Name>` and fails the branch at once.
 */
export function callRekognition<T>(client: RekognitionClient, call: (client: RekognitionClient) => Promise<T>): Promise<T> {
  return callAws('Rekognition', () => call(client));
}

/**
 * Archives a full response as JSON next to the other analysis outputs and returns its `s3://` URI.
 * The state keeps only a compact summary (Step Functions payloads are capped at 256 KB); the archive
 * keeps everything (landmarks, pose, quality, polygons, ...) for whoever needs it later.
 */
export async function saveRawResponse(
  s3: S3Client,
  input: AnalysisInput,
  file: string,
  response: object,
  config: Pick<PicflowConfig, 'analysisPrefix' | 'uploadPrefix'>,
): Promise<string> {
  // $metadata is the SDK's transport detail (request id, attempts), not part of the answer.
  const { $metadata: _metadata, ...body } = response as { $metadata?: unknown };
  const location = { bucket: input.image.bucket, key: analysisKey(input.image, file, config) };
  await putJson(s3, location, body);
  return s3Uri(location);
}

export function isEnabled(config: Pick<PicflowConfig, 'analyses'>, analysis: Analysis): boolean {
  return config.analyses.includes(analysis);
}

/** Rounds for the compact results: confidences need no more than 2 decimals. */
export function round(value: number | undefined, decimals = 2): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * A Rekognition box as ratios, rounded to 4 decimals: 2 decimals would be 1% of the image (40 px of a
 * 4096-px photo), too coarse for a small face or word, and 4 decimals cost 8 bytes per box.
 */
export function compactBox(box: RekognitionBox | undefined): BoundingBox {
  return {
    left: round(box?.Left, 4),
    top: round(box?.Top, 4),
    width: round(box?.Width, 4),
    height: round(box?.Height, 4),
  };
}

/** Milliseconds since `start` (a performance.now() reading), whole. */
export function elapsedMs(start: number): number {
  return Math.round(performance.now() - start);
}
