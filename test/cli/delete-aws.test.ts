// `picflow delete --stack` against AWS, with the SDK clients mocked: the stack's outputs name the table,
// bucket and upload prefix; the API's delete logic removes the original and every derived object in
// that bucket, then the item; an argument that is not an upload is refused before any call.
import 'aws-sdk-client-mock-jest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteFromSource } from '../../cli/delete';
import { openImageSource } from '../../cli/image-source';
import { mockStackOutputs } from '../support/stack-outputs';

const cloudformation = mockClient(CloudFormationClient);
const documents = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);

const BUCKET = 'picflow-bucket-1a2b';
const TABLE = 'Picflow-Images-XYZ';

describe('picflow delete --stack', () => {
  beforeEach(() => {
    for (const mock of [cloudformation, documents, s3]) mock.reset();
    mockStackOutputs(cloudformation, { BucketName: BUCKET, UploadPrefix: 'incoming/', TableName: TABLE });
    s3.on(DeleteObjectCommand).resolves({});
    documents.on(DeleteCommand).resolves({});
  });

  it("deletes the original, its thumbnails and the item in the stack's bucket and table", async () => {
    // Prepare
    const imageId = `${BUCKET}/incoming/photo.jpg`;
    documents.on(GetCommand).resolves({
      Item: {
        imageId,
        bucket: BUCKET,
        key: 'incoming/photo.jpg',
        status: 'SUCCEEDED',
        thumbnails: [{ name: 'small', key: 'thumbnails/incoming/photo.jpg/e/small.jpg', width: 1, height: 1 }],
      },
    });
    const source = await openImageSource('/nonexistent', { stack: 'Picflow', region: 'eu-west-1' });

    // Act
    const deleted = await deleteFromSource(source, 'photo.jpg');
    await source.close();

    // Assess
    expect(deleted).toBe(imageId);
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: BUCKET, Key: 'incoming/photo.jpg' });
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: BUCKET, Key: 'thumbnails/incoming/photo.jpg/e/small.jpg' });
    expect(documents).toHaveReceivedCommandWith(DeleteCommand, { TableName: TABLE, Key: { imageId } });
  });

  it('refuses an argument that names something other than an upload, before any call', async () => {
    // Prepare
    const source = await openImageSource('/nonexistent', { stack: 'Picflow', region: 'eu-west-1' });

    // Act
    const deleting = deleteFromSource(source, `${BUCKET}/thumbnails/incoming/photo.jpg/e/small.jpg`);

    // Assess
    await expect(deleting).rejects.toThrow(`is not an upload: image ids look like ${BUCKET}/incoming/<name>`);
    await source.close();
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(documents).not.toHaveReceivedCommand(DeleteCommand);
  });
});
