// The local SQS-compatible server, driven by the real @aws-sdk/client-sqs: the operations picflow
// uses, and messages that survive a restart.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startSqsServer, type SqsServer } from '../../../local/sqs/sqs-server';

describe('Local SQS server', () => {
  let directory: string;
  let server: SqsServer;
  let sqs: SQSClient;

  const connect = (endpoint: string) =>
    new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'picflow-sqs-'));
    server = await startSqsServer({ directory });
    sqs = connect(server.endpoint);
  });

  afterEach(async () => {
    sqs.destroy();
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('sends, receives and deletes a message (the SDK checks the MD5s)', async () => {
    // Prepare
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'picflow-dlq' }));

    // Act
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ key: 'uploads/ünïcode photo.jpg' }) }));
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages?.[0].ReceiptHandle }));
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));

    // Assess
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages?.[0]).toMatchObject({ MessageId: sent.MessageId, Body: '{"key":"uploads/ünïcode photo.jpg"}' });
    expect(received.Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('1');
    expect(after.Messages ?? []).toHaveLength(0);
  });

  it('hides a received message for its visibility timeout, and shows it again when made visible', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));

    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 60 }));
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first.Messages?.[0].ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));

    expect(hidden.Messages ?? []).toHaveLength(0);
    expect(again.Messages?.[0].Body).toBe('one');
    expect(again.Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('keeps messages across a restart', async () => {
    // Prepare
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'picflow-dlq' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'survives' }));
    sqs.destroy();
    await server.close();

    // Act
    server = await startSqsServer({ directory });
    sqs = connect(server.endpoint);
    const { QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'picflow-dlq' }));
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));

    // Assess
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('1');
    expect(received.Messages?.[0].Body).toBe('survives');
  });

  it('quarantines corrupt, truncated and empty message files at start, naming each, and keeps the good ones', async () => {
    // Prepare: one good message, then three damaged files beside it
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'picflow-dlq' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'good' }));
    sqs.destroy();
    await server.close();
    const queueDir = join(directory, 'picflow-dlq');
    const good = JSON.parse(readFileSync(join(queueDir, readdirSync(queueDir)[0]), 'utf8')) as { messageId: string };
    const damaged = { 'empty.json': '', 'truncated.json': JSON.stringify(good).slice(0, 20), 'garbage.json': '\u0000\u0000not json' };
    for (const [name, content] of Object.entries(damaged)) writeFileSync(join(queueDir, name), content);
    const warnings: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (warnings.push(String(chunk)), true));

    // Act
    try {
      server = await startSqsServer({ directory });
    } finally {
      write.mockRestore();
    }
    sqs = connect(server.endpoint);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: server.queueUrl('picflow-dlq'), MaxNumberOfMessages: 10 }));

    // Assess: the good message is there; each damaged file is in quarantine/ and was named in a warning
    expect(received.Messages?.map((m) => m.Body)).toEqual(['good']);
    for (const name of Object.keys(damaged)) {
      expect(existsSync(join(queueDir, name))).toBe(false);
      expect(existsSync(join(queueDir, 'quarantine', name))).toBe(true);
      expect(warnings.join('')).toContain(join(queueDir, name));
    }
    expect(warnings.join('')).toMatch(/empty\.json cannot be read \(empty file\)/);
  });

  it('answers an unknown queue with the error name the SDK expects', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
