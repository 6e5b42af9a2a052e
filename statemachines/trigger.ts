/**
 * The EventBridge rule that starts THE definition: S3 "Object Created" events for the image bucket,
 * under the upload prefix only (thumbnails and other derived objects live under other prefixes and
 * never trigger it). One source for both runtimes: infra/ deploys it as the rule's pattern, and the
 * local event router matches every local upload against it.
 */

/** An EventBridge event pattern, in the JSON form the EventBridge API takes. */
export type EventPattern = { [field: string]: EventPattern | PatternValue[] };
export type PatternValue =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { 'anything-but': unknown }
  | { exists: boolean };

/** Objects created under the upload prefix, or under any of several (a reusable ImagePipeline may watch more than one). */
export function uploadEventPattern(bucketName: string, uploadPrefix: string | readonly string[]): EventPattern {
  const prefixes = typeof uploadPrefix === 'string' ? [uploadPrefix] : uploadPrefix;
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: prefixes.map((prefix) => ({ prefix })) },
    },
  };
}

/**
 * The rule that cleans up after an upload deleted directly in S3 (api/deleted/handler.ts): S3 "Object
 * Deleted" events for the image bucket under the upload prefix. Deleting derived objects (thumbnails,
 * analysis files) never matches, so the clean-up's own deletes start nothing.
 */
export function uploadDeletedEventPattern(bucketName: string, uploadPrefix: string): EventPattern {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Deleted'],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: [{ prefix: uploadPrefix }] },
    },
  };
}
