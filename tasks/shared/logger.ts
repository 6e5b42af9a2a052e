/**
 * The structured logger every task uses (Powertools for AWS Lambda). Each invocation logs through its
 * own child logger carrying the image key and the execution id, so one image's path through the
 * pipeline can be followed in the logs, and concurrent invocations in one process (the local
 * runtime) never lend each other their keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'picflow' });

export interface InvocationKeys {
  imageId?: string;
  key?: string;
  executionId?: string;
  state: string;
}

/** A logger for one invocation: every line it writes carries these keys. */
export function invocationLogger(keys: InvocationKeys): Logger {
  return logger.createChild({ persistentKeys: { ...keys } });
}
