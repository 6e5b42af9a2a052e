/**
 * `picflow delete <image> [--stack NAME]`: removes an image and everything derived from it (the HTTP
 * API's DELETE /images/{imageId}). Locally through the running `picflow dev`'s API when there is one,
 * else on the data directory; with --stack against AWS with the SDK. Idempotent: deleting what is gone succeeds.
 */
import type { Command } from 'commander';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { deleteImage } from '../api/images/delete-image';
import { faceIdsOf } from '../tasks/shared/faces';
import { imageKey } from '../tasks/shared/image-table';
import type { ImageItem } from '../tasks/shared/types';
import { runningDevServer } from './dev-server-info';
import { openImageSource, type ImageSource } from './image-source';

interface DeleteOptions {
  stack?: string;
  region?: string;
}

export function deleteCommand(program: Command): void {
  program
    .command('delete')
    .description('delete an image: the original, its thumbnails and results in S3, its item and index entries')
    .argument(
      '<image>',
      'the image: its key (uploads/photo.jpg), its name under the upload prefix (photo.jpg), or its image id (bucket/key)',
    )
    .option('--stack <name>', "delete from the deployed CloudFormation stack's bucket and table instead of the local data")
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)')
    .action(async (image: string, options: DeleteOptions, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      const dev = options.stack ? undefined : runningDevServer(dataDir);
      if (dev?.endpoints.api) {
        const imageId = imageIdOf(image, dev.bucket, dev.uploadPrefix);
        const response = await fetch(`${dev.endpoints.api}/images/${encodeURIComponent(imageId)}`, { method: 'DELETE' });
        if (response.status !== 204) throw new Error(`the local API answered ${response.status}: ${await response.text()}`);
        process.stderr.write(`picflow delete: deleted ${imageId} (through picflow dev, pid ${dev.pid})\n`);
        return;
      }
      const source = await openImageSource(dataDir, options);
      try {
        const imageId = await deleteFromSource(source, image);
        process.stderr.write(`picflow delete: deleted ${imageId} (in ${source.description})\n`);
      } finally {
        await source.close();
      }
    });
}

/** Deletes the image with the API's own logic (api/images/delete-image.ts) on the source's table and bucket; its id. */
export async function deleteFromSource(source: ImageSource, image: string): Promise<string> {
  const imageId = deleteTarget(image, source);
  const dynamo = DynamoDBDocumentClient.from(source.dynamodb);
  // Face vectors must not outlive their photo: an image with faces needs the collection (opened only then:
  // locally a Rekognition server on the data directory's collection files, on AWS the stack's collection).
  const { Item } = await dynamo.send(new GetCommand({ TableName: source.tableName, Key: imageKey(imageId), ConsistentRead: true }));
  const faces = Item && faceIdsOf(Item as ImageItem).length > 0 ? await source.faceCollection?.() : undefined;
  await deleteImage(
    { imageId, bucket: source.bucket, key: imageId.slice(source.bucket.length + 1) },
    source.tableName,
    { dynamo, s3: source.s3, rekognition: faces?.rekognition },
    { faceCollectionId: faces?.collectionId },
  );
  return imageId;
}

/** The image id an argument names: an id as is, a key in the bucket, or a name under the upload prefix. */
export function imageIdOf(image: string, bucket: string, uploadPrefix: string): string {
  if (image.startsWith(`${bucket}/`)) return image;
  if (image.startsWith(uploadPrefix)) return `${bucket}/${image}`;
  return `${bucket}/${uploadPrefix}${image}`;
}

/** As the API does (api/images/image-id.ts), only uploads are images: never delete a thumbnail or result as one. */
function deleteTarget(image: string, source: ImageSource): string {
  const imageId = imageIdOf(image, source.bucket, source.uploadPrefix);
  const prefix = `${source.bucket}/${source.uploadPrefix}`;
  if (!imageId.startsWith(prefix) || imageId.length === prefix.length)
    throw new Error(`"${image}" is not an upload: image ids look like ${prefix}<name>`);
  return imageId;
}
