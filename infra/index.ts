/**
 * The picflow package's entry point (package.json "exports"): what another CDK app imports to run the
 * image pipeline on its own bucket. Everything else in the repository is internal.
 */
export {
  ImagePipeline,
  ImagePipelineError,
  enableEventBridgeCommandFor,
  type ImagePipelinePrefixes,
  type ImagePipelineProps,
} from './constructs/image-pipeline';
export { PicflowStack, type PicflowStackProps } from './picflow-stack';
export { PicflowBackfill, type BackfillSettings } from './constructs/backfill';
export {
  DEFAULT_API_SETTINGS,
  DEFAULT_PREFIXES,
  DEFAULT_TASK_SETTINGS,
  type PicflowApiSettings,
  type PicflowPrefixes,
  type PicflowTaskSettings,
} from './config';
