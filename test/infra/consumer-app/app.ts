// A CDK app of someone else's, using picflow as an installed package: the README's "Use it in your own
// CDK app" example. test/infra/consumer-app.test.ts runs it outside the repository, picflow linked into
// its node_modules as `npm install <path to picflow>` links it.
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ImagePipeline } from 'picflow';

const app = new App();
const stack = new Stack(app, 'PhotoLibrary', { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });
const photos = s3.Bucket.fromBucketName(stack, 'Photos', 'my-existing-photos');
new ImagePipeline(stack, 'Picflow', {
  bucket: photos,
  prefixes: {
    upload: ['camera/2024/', 'camera/2025/'],
    thumbnail: 'picflow/thumbnails/',
    normalized: 'picflow/normalized/',
    analysis: 'picflow/analysis/',
  },
  taskSettings: { analyses: ['faces', 'labels'] },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
