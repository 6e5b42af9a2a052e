/**
 * Finds a deployed picflow stack's resources from its CloudFormation outputs, for the commands that
 * work against AWS (`replay --stack`, `list`/`show`/`export --stack`). Credentials and region come from
 * the usual AWS configuration (profile, environment, SSO...).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export interface DeployedStack {
  stateMachineArn: string;
  deadLetterQueueUrl: string;
}

/** Where a deployed stack keeps images and their items (outputs BucketName, UploadPrefix, TableName). */
export interface DeployedStorage {
  bucket: string;
  uploadPrefix: string;
  tableName: string;
}

export async function describeDeployedStorage(stackName: string, region?: string): Promise<DeployedStorage> {
  const { outputs, find } = await stackOutputs(stackName, region);
  const bucket = find(/BucketName$/);
  const tableName = find(/TableName$/);
  if (!bucket || !tableName) {
    throw new Error(
      `stack ${stackName} has no BucketName / TableName outputs (found: ` +
        `${Object.keys(outputs).join(', ') || 'none'}); is it a picflow stack?`,
    );
  }
  return { bucket, tableName, uploadPrefix: find(/UploadPrefix$/) ?? 'uploads/' };
}

/** The deployed stack's face collection (output FaceCollectionId); an error when face indexing is off there. */
export async function describeFaceCollection(stackName: string, region?: string): Promise<string> {
  const { find } = await stackOutputs(stackName, region);
  const collectionId = find(/FaceCollectionId$/);
  if (!collectionId) throw new Error(`stack ${stackName} has no FaceCollectionId output: deploy it with face indexing on (faceIndexing)`);
  return collectionId;
}

async function stackOutputs(stackName: string, region?: string) {
  const cloudformation = new CloudFormationClient({ region });
  try {
    const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Object.fromEntries((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    const find = (pattern: RegExp) => Object.entries(outputs).find(([key]) => pattern.test(key))?.[1];
    return { outputs, find };
  } finally {
    cloudformation.destroy();
  }
}

export async function describeDeployedStack(stackName: string, region?: string): Promise<DeployedStack> {
  const cloudformation = new CloudFormationClient({ region });
  try {
    const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Object.fromEntries((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    const find = (pattern: RegExp) => Object.entries(outputs).find(([key]) => pattern.test(key))?.[1];
    const stateMachineArn = find(/StateMachineArn$/);
    const deadLetterQueueUrl = find(/(DeadLetterQueueUrl|DlqUrl)$/i);
    if (!stateMachineArn || !deadLetterQueueUrl) {
      throw new Error(
        `stack ${stackName} has no StateMachineArn / DeadLetterQueueUrl outputs (found: ` +
          `${Object.keys(outputs).join(', ') || 'none'}); is it a picflow stack?`,
      );
    }
    return { stateMachineArn, deadLetterQueueUrl };
  } finally {
    cloudformation.destroy();
  }
}

/** What `picflow backfill --stack` needs: outputs BackfillStateMachineArn and UploadPrefixes (or UploadPrefix). */
export interface DeployedBackfill {
  backfillStateMachineArn: string;
  uploadPrefixes: string[];
}

export async function describeDeployedBackfill(stackName: string, region?: string): Promise<DeployedBackfill> {
  const { outputs, find } = await stackOutputs(stackName, region);
  const backfillStateMachineArn = find(/BackfillStateMachineArn$/);
  if (!backfillStateMachineArn) {
    throw new Error(
      `stack ${stackName} has no BackfillStateMachineArn output (found: ${Object.keys(outputs).join(', ') || 'none'}); ` +
        'was it deployed with the backfill (ImagePipeline backfill: false turns it off)?',
    );
  }
  const prefixes = (find(/UploadPrefixes$/) ?? find(/UploadPrefix$/) ?? 'uploads/').split(',').map((p) => p.trim());
  return { backfillStateMachineArn, uploadPrefixes: prefixes.filter(Boolean) };
}
