/**
 * The structured logger every task uses (Powertools for AWS Lambda). Each handler appends the image
 * key and the execution id, so one image's path through the pipeline can be followed in the logs.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'picflow' });

/** Attaches the image and execution to every log line of this invocation. */
export function logContext(fields: { imageId?: string; key?: string; executionId?: string; state: string }): void {
  logger.resetKeys();
  logger.appendKeys(fields);
}
