// `picflow list / show / export --stack` against AWS, with the SDK clients mocked: the stack's outputs
// name the table, bucket and upload prefix; FAILED and PARTIAL are read newest first through the sparse
// byStatus index (each entry's item fetched), anything else by a paged scan.
import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { getImage, matchingImages, recentImages } from '../../cli/image-query';
import { openImageSource } from '../../cli/image-source';
import { mockStackOutputs } from '../support/stack-outputs';

const cloudformation = mockClient(CloudFormationClient);
const dynamodb = mockClient(DynamoDBClient);

const BUCKET = 'picflow-bucket-1a2b';
const TABLE = 'Picflow-Images-XYZ';

function item(key: string, updatedAt: string, extra: Record<string, unknown> = {}) {
  return { imageId: `${BUCKET}/${key}`, bucket: BUCKET, key, status: 'SUCCEEDED', updatedAt, ...extra };
}

describe('Functions: image reads with --stack', () => {
  beforeEach(() => {
    cloudformation.reset();
    dynamodb.reset();
    mockStackOutputs(cloudformation, { BucketName: BUCKET, UploadPrefix: 'incoming/', TableName: TABLE });
  });

  it("show finds an image by its name under the stack's upload prefix", async () => {
    // Prepare
    const stored = item('incoming/photo.jpg', '2026-11-27T10:00:00.000Z');
    dynamodb.on(GetItemCommand).resolves({});
    dynamodb.on(GetItemCommand, { Key: { imageId: { S: stored.imageId } } }).resolves({ Item: marshall(stored) });
    const source = await openImageSource('/nonexistent', { stack: 'Picflow', region: 'eu-west-1' });

    // Act
    const found = await getImage(source, 'photo.jpg');
    await source.close();

    // Assess
    expect(found).toEqual(stored);
    expect(cloudformation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Picflow' });
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: { imageId: { S: `${BUCKET}/photo.jpg` } } });
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: TABLE,
      Key: { imageId: { S: `${BUCKET}/incoming/photo.jpg` } },
    });
  });

  it('list --status failed reads the byStatus index newest first and stops once it has --limit items', async () => {
    // Prepare: two index pages; the first already holds enough
    const failed = [
      item('incoming/c.jpg', '2026-11-27T12:00:00.000Z', { status: 'FAILED' }),
      item('incoming/b.jpg', '2026-11-27T11:00:00.000Z', { status: 'FAILED' }),
    ];
    dynamodb.on(QueryCommand).resolves({
      Items: failed.map((f) => marshall({ imageId: f.imageId, listedStatus: 'FAILED', updatedAt: f.updatedAt })),
      LastEvaluatedKey: marshall({ imageId: 'more' }),
    });
    for (const f of failed) dynamodb.on(GetItemCommand, { Key: { imageId: { S: f.imageId } } }).resolves({ Item: marshall(f) });
    const source = await openImageSource('/nonexistent', { stack: 'Picflow', region: 'eu-west-1' });

    // Act
    const listed = await recentImages(source, { status: 'FAILED', since: '2026-11-27T00:00:00.000Z' }, 2);
    await source.close();

    // Assess
    expect(listed.map((i) => i.key)).toEqual(['incoming/c.jpg', 'incoming/b.jpg']);
    expect(dynamodb).toHaveReceivedCommandTimes(QueryCommand, 1);
    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s AND #u >= :since',
      ExpressionAttributeValues: { ':s': { S: 'FAILED' }, ':since': { S: '2026-11-27T00:00:00.000Z' } },
      ScanIndexForward: false,
    });
    expect(dynamodb).not.toHaveReceivedCommand(ScanCommand);
  });

  it('list --label scans every page and keeps the newest matches; export yields each match once', async () => {
    // Prepare: two scan pages, labels in any case, a parent label counting too
    const dog = (key: string, at: string) =>
      item(key, at, { labels: [{ name: 'Dog', confidence: 97, parents: ['Animal'], instances: [] }] });
    const page1 = [dog('incoming/old.jpg', '2026-11-01T00:00:00.000Z'), item('incoming/cat.jpg', '2026-11-20T00:00:00.000Z')];
    const page2 = [dog('incoming/new.jpg', '2026-11-25T00:00:00.000Z'), dog('incoming/mid.jpg', '2026-11-10T00:00:00.000Z')];
    dynamodb
      .on(ScanCommand)
      .callsFake((input: { ExclusiveStartKey?: unknown }) =>
        input.ExclusiveStartKey
          ? { Items: page2.map((i) => marshall(i)) }
          : { Items: page1.map((i) => marshall(i)), LastEvaluatedKey: marshall({ imageId: page1[1].imageId }) },
      );
    const source = await openImageSource('/nonexistent', { stack: 'Picflow', region: 'eu-west-1' });

    // Act
    const listed = await recentImages(source, { label: 'animal' }, 2);
    const exported: string[] = [];
    for await (const i of matchingImages(source, { label: 'DOG' })) exported.push(i.key);
    await source.close();

    // Assess
    expect(listed.map((i) => i.key)).toEqual(['incoming/new.jpg', 'incoming/mid.jpg']);
    expect(exported).toEqual(['incoming/old.jpg', 'incoming/new.jpg', 'incoming/mid.jpg']);
    expect(dynamodb).toHaveReceivedNthCommandWith(2, ScanCommand, {
      TableName: TABLE,
      ExclusiveStartKey: marshall({ imageId: page1[1].imageId }),
    });
  });

  it('explains a stack without the table and bucket outputs', async () => {
    mockStackOutputs(cloudformation, {}, 'Other');

    await expect(openImageSource('/nonexistent', { stack: 'Other', region: 'eu-west-1' })).rejects.toThrow(
      /no BucketName \/ TableName outputs/,
    );
  });
});
