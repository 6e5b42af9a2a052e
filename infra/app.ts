/**
 * The CDK app (cdk.json runs it with `npx tsx infra/app.ts`): reads and validates the context, builds
 * one PicflowStack, and registers cdk-nag's AwsSolutions pack so every `cdk synth` fails on a finding
 * nobody acknowledged. Account and region come from the CLI's environment (CDK_DEFAULT_*), so
 * `cdk synth` needs no credentials.
 */
import { App } from 'aws-cdk-lib';
import { parsePicflowContext, PicflowContextError, type PicflowAppConfig } from './config';
import { addNagChecks } from './nag';
import { PicflowStack } from './picflow-stack';

/** The validated context, or exit 1 with every problem listed (a stack trace would only hide them). */
function readConfig(app: App): PicflowAppConfig {
  try {
    // All keys are passed too, so a miscased key ("uploadprefix") is reported instead of ignored.
    const allKeys = Object.keys(app.node.getAllContext() as Record<string, unknown>);
    return parsePicflowContext((key) => app.node.tryGetContext(key), allKeys);
  } catch (error) {
    if (error instanceof PicflowContextError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const app = new App();
const config = readConfig(app);

new PicflowStack(app, config.stackName, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  prefixes: config.prefixes,
  taskSettings: config.tasks,
  architecture: config.architecture,
  removalPolicy: config.removalPolicy,
  logRetention: config.logRetention,
  alarmEmail: config.alarmEmail,
  api: config.api ?? false,
  backfill: config.backfill,
});

// Registered last so it validates the finished tree; it runs when app.synth() writes the assembly.
addNagChecks(app);
app.synth();
