/**
 * Where Amazon Rekognition's image APIs (DetectFaces, DetectLabels, DetectText, DetectModerationLabels)
 * can be called, so a stack in any other region fails at synth instead of failing every image with a
 * DNS error (`getaddrinfo ENOTFOUND rekognition.<region>.amazonaws.com`) after it is deployed.
 */
import { Token } from 'aws-cdk-lib';

/**
 * Regions with a Rekognition endpoint. Source: botocore's botocore/data/endpoints.json (the endpoint
 * table the AWS SDKs are generated from), service "rekognition", non-FIPS endpoints of every
 * partition, as of boto/botocore commit 0e6e2404 (2026-08-07); it agrees with "Amazon Rekognition
 * endpoints and quotas" in the AWS General Reference (docs.aws.amazon.com/general/latest/gr/rekognition.html).
 * A region AWS adds later fails the synth until it is added here.
 */
export const REKOGNITION_REGIONS: readonly string[] = [
  // aws
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'eu-central-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'il-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  // aws-us-gov
  'us-gov-west-1',
  // aws-iso-e, aws-iso-f
  'eu-isoe-west-1',
  'us-isof-east-1',
  'us-isof-south-1',
];

/**
 * Why a stack in `region` cannot use Rekognition, or undefined when it can, when no analysis needs
 * it, or when the region is not known at synth (an environment-agnostic stack: CloudFormation
 * resolves it at deployment, so there is nothing to check yet).
 */
export function rekognitionRegionProblem(region: string, usesRekognition: boolean): string | undefined {
  if (!usesRekognition || Token.isUnresolved(region) || REKOGNITION_REGIONS.includes(region)) return undefined;
  return (
    `Amazon Rekognition's image APIs are not offered in ${region}, so every analysis would fail there. ` +
    `Deploy to a region that has them (${REKOGNITION_REGIONS.join(', ')}), e.g. CDK_DEFAULT_REGION=eu-west-1 npx cdk deploy, ` +
    'or deploy a thumbnails-only pipeline with -c analyses= (an empty list).'
  );
}
