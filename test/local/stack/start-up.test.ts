// Start-up that always comes up: a failed start starts no work and closes every port it opened;
// uploads made while the stack starts run exactly once; PROCESSING items left by an execution that is
// over, or whose object is gone, are settled; durations of resumed executions count from the resume.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ExecutionRecord } from '../../../local/engine/execution-store';
import { runDurationMs } from '../../../local/engine/run-duration';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../local/stack/local-stack';
import { fixturePath, tempDir } from '../../e2e/support';

jest.setTimeout(120_000);

const FAST: LocalStackOptions = { rekognitionWorkers: 1, taskEnvironment: { ANALYSES: 'moderation', THUMBNAIL_SIZES: '64x64:cover' } };

function runningRecord(name: string, key: string): ExecutionRecord {
  const arn = `arn:aws:states:us-east-1:000000000000:execution:picflow-local:${name}`;
  const input = {
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: 'picflow-local' }, object: { key, size: 1, etag: 'x', sequencer: '0000000000000001' } },
  };
  return {
    name,
    executionArn: arn,
    status: 'RUNNING',
    imageId: `picflow-local/${key}`,
    input,
    startedAt: '2026-01-01T00:00:00.000Z',
    retries: 0,
    events: [],
  };
}

function seedRecord(dataDir: string, record: ExecutionRecord): void {
  mkdirSync(join(dataDir, 'executions'), { recursive: true });
  writeFileSync(join(dataDir, 'executions', `${record.name}.json`), JSON.stringify(record));
}

function readRecord(dataDir: string, name: string): ExecutionRecord {
  return JSON.parse(readFileSync(join(dataDir, 'executions', `${name}.json`), 'utf8')) as ExecutionRecord;
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

describe('Local stack: a start that fails', () => {
  const data = tempDir('start-fail');
  afterAll(() => data.remove());

  it('when its last server cannot listen: rejects naming the part, resumes nothing, closes every port it opened', async () => {
    // Prepare: a RUNNING execution left by a crash, and the Rekognition port already taken
    seedRecord(data.path, runningRecord('left-running', 'uploads/a.jpg'));
    const [s3, dynamodb, sqs] = await freePorts(3);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;

    // Act
    const start = startLocalStack({ ...FAST, dataDir: data.path, ports: { s3, dynamodb, sqs, rekognition: taken } });

    // Assess
    try {
      await expect(start).rejects.toThrow(
        new RegExp(`the local stack did not start: the Rekognition server on port ${taken} failed: .*EADDRINUSE`),
      );
      expect(readRecord(data.path, 'left-running')).toEqual(runningRecord('left-running', 'uploads/a.jpg'));
      for (const port of [s3, dynamodb, sqs]) expect(await portAcceptsConnections(port)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('when a part fails after every server is up: no upload held during the start runs, no execution is resumed, all closed', async () => {
    // Prepare
    const [s3, dynamodb, sqs, rekognition] = await freePorts(4);
    const started: string[] = [];

    // Act: an upload arrives during the start, then a part of the start fails
    const start = startLocalStack({
      ...FAST,
      dataDir: data.path,
      ports: { s3, dynamodb, sqs, rekognition },
      beforeWork: async (stack) => {
        stack.runner.on('started', (record) => started.push(record.name));
        await stack.clients.s3.send(
          new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/during-start.jpg', Body: readFileSync(fixturePath('rocket.jpg')) }),
        );
        throw new Error('the console could not listen');
      },
    });

    // Assess
    await expect(start).rejects.toThrow('the console could not listen');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started).toEqual([]);
    expect(readRecord(data.path, 'left-running').status).toBe('RUNNING');
    expect(readRecord(data.path, 'left-running').resumedAt).toBeUndefined();
    for (const port of [s3, dynamodb, sqs, rekognition]) expect(await portAcceptsConnections(port)).toBe(false);
  });
});

describe('Local stack: uploads made while it starts', () => {
  const data = tempDir('start-uploads');
  afterAll(() => data.remove());

  it('runs each exactly once (router or recovery, never both), and every start is heard', async () => {
    // Prepare: an upload whose event was lost (a start that failed after it), so recovery must start it
    await expect(
      startLocalStack({
        ...FAST,
        dataDir: data.path,
        beforeWork: async (stack) => {
          await stack.clients.s3.send(
            new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/left-over.jpg', Body: readFileSync(fixturePath('rocket.jpg')) }),
          );
          throw new Error('stop here');
        },
      }),
    ).rejects.toThrow('stop here');
    const heard: string[] = [];

    // Act: start again; while it starts (everything up, recovery not yet listed) two more uploads arrive
    const stack = await startLocalStack({
      ...FAST,
      dataDir: data.path,
      beforeWork: async (up) => {
        up.runner.on('started', (record) => heard.push(record.imageId!));
        for (const name of ['during-1.jpg', 'during-2.jpg']) {
          await up.clients.s3.send(
            new PutObjectCommand({ Bucket: up.bucket, Key: `uploads/${name}`, Body: readFileSync(fixturePath('rocket.jpg')) }),
          );
        }
      },
    });
    try {
      await stack.runner.idle();

      // Assess: one execution per object, each heard starting, none Superseded; recovery started only the left-over
      const executions = (await stack.store.list()).map((summary) => stack.store.get(summary.name)!);
      const ids = ['left-over.jpg', 'during-1.jpg', 'during-2.jpg'].map((name) => `picflow-local/uploads/${name}`).sort();
      expect(executions.map((e) => e.imageId).sort()).toEqual(ids);
      expect(heard.sort()).toEqual(ids);
      expect(executions.map((e) => [e.imageId, e.status, JSON.stringify(e.output ?? {}).includes('Superseded')])).toEqual(
        expect.arrayContaining(ids.map((id) => [id, 'SUCCEEDED', false])),
      );
      expect(stack.recovery).toEqual({ resumed: 0, started: 1, settled: 0, cleanedUp: 0 });
    } finally {
      await stack.close();
    }
  });
});

describe('Local stack: items left PROCESSING', () => {
  const data = tempDir('start-stuck');
  afterAll(() => data.remove());

  async function item(stack: LocalStack, key: string): Promise<Record<string, unknown>> {
    const { Item } = await stack.clients.dynamodb.send(
      new GetItemCommand({ TableName: stack.tableName, Key: { imageId: { S: `${stack.bucket}/${key}` } }, ConsistentRead: true }),
    );
    return unmarshall(Item!);
  }

  it('settles those whose object is gone (FAILED NOT_FOUND, dead letter) and those whose execution ended (as the net would)', async () => {
    // Prepare: two items claimed by executions that are over: one object deleted, one execution ABORTED
    // (its record saved, then the process died before the execution-status net ran)
    let stack = await startLocalStack({ ...FAST, dataDir: data.path, recover: false });
    const machineArn = stack.machine.executionArn('x').replace(/:x$/, '');
    const { ETag } = await stack.clients.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: 'uploads/kept.jpg', Body: readFileSync(fixturePath('rocket.jpg')) }),
    );
    await stack.runner.idle();
    const kept = await item(stack, 'uploads/kept.jpg');
    const now = new Date().toISOString();
    const claimed = (key: string, execution: string, from: Record<string, unknown>) =>
      marshall(
        {
          ...from,
          imageId: `picflow-local/${key}`,
          key,
          status: 'PROCESSING',
          executionId: `${machineArn}:${execution}`,
          startedAt: now,
          updatedAt: now,
        },
        { removeUndefinedValues: true },
      );
    const identity = {
      bucket: 'picflow-local',
      etag: kept.etag,
      size: kept.size,
      sequencer: kept.sequencer,
      sequencerKey: kept.sequencerKey,
      createdAt: now,
    };
    await stack.clients.dynamodb.send(
      new PutItemCommand({ TableName: stack.tableName, Item: claimed('uploads/gone.jpg', 'gone-1', identity) }),
    );
    await stack.clients.dynamodb.send(
      new PutItemCommand({ TableName: stack.tableName, Item: claimed('uploads/kept.jpg', 'aborted-1', identity) }),
    );
    stack.store.save({
      ...runningRecord('aborted-1', 'uploads/kept.jpg'),
      executionArn: `${machineArn}:aborted-1`,
      input: stack.store.get((await stack.store.list())[0].name)!.input,
      status: 'ABORTED',
      startedAt: now,
      stoppedAt: now,
    });
    await stack.close();
    expect(ETag).toBeDefined();

    // Act
    stack = await startLocalStack({ ...FAST, dataDir: data.path });
    try {
      await stack.runner.idle();
      const gone = await item(stack, 'uploads/gone.jpg');
      const aborted = await item(stack, 'uploads/kept.jpg');
      const { Messages = [] } = await stack.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10 }),
      );

      // Assess
      expect(stack.recovery).toEqual({ resumed: 0, started: 0, settled: 2, cleanedUp: 0 });
      expect(gone).toMatchObject({ status: 'FAILED', statusReason: expect.stringContaining('NOT_FOUND') });
      expect(aborted).toMatchObject({ status: 'FAILED', statusReason: expect.stringContaining('aborted') });
      const letters = Messages.map((m) => JSON.parse(m.Body!) as { key: string; reason: string });
      expect(letters.map((l) => l.key).sort()).toEqual(['uploads/gone.jpg', 'uploads/kept.jpg']);
    } finally {
      await stack.close();
    }
  });
});

describe('Execution durations', () => {
  it('count from the last (re)start of a resumed execution', () => {
    const record = { startedAt: '2026-01-01T00:00:00.000Z', resumedAt: '2026-01-01T01:00:00.000Z', stoppedAt: '2026-01-01T01:00:02.500Z' };

    expect(runDurationMs(record)).toBe(2500);
    expect(runDurationMs({ ...record, resumedAt: undefined })).toBe(3_602_500);
  });
});
