/** Validation helpers for Rekognition request parameters (violations → InvalidParameterException). */
import { RekognitionError } from '../errors';

export function invalid(message: string): RekognitionError {
  return new RekognitionError('InvalidParameterException', message);
}

/** An optional number in [min, max]; `fallback` when absent. */
export function optionalNumber(body: Record<string, unknown>, key: string, min: number, max: number, fallback: number): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw invalid(
      `1 validation error detected: Value '${String(v)}' at '${key}' failed to satisfy constraint: Member must be between ${min} and ${max}`,
    );
  }
  return v;
}

export function optionalInteger(body: Record<string, unknown>, key: string, min: number, max: number, fallback: number): number {
  const v = optionalNumber(body, key, min, max, fallback);
  if (!Number.isInteger(v))
    throw invalid(`1 validation error detected: Value '${v}' at '${key}' failed to satisfy constraint: Member must be an integer`);
  return v;
}

export function optionalStringArray(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) throw invalid(`${key} must be a list of strings`);
  return value as string[];
}

export function optionalObject(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${key} must be an object`);
  return value as Record<string, unknown>;
}

/** Rekognition confidences are floats 0..100; keep a few decimals like the service does. */
export function pct(x: number): number {
  return Math.round(Math.min(100, Math.max(0, x)) * 1e4) / 1e4;
}

/** A ratio of the image size, clipped to [0, 1] and rounded like Rekognition's (float32-ish precision). */
export function ratio(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 1e7) / 1e7;
}

export function boundingBox(box: [number, number, number, number]): { Width: number; Height: number; Left: number; Top: number } {
  return { Width: ratio(box[2]), Height: ratio(box[3]), Left: ratio(box[0]), Top: ratio(box[1]) };
}
