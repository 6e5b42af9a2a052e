// A crash in the middle of a batch loses nothing: `picflow dev` is killed (SIGKILL) while images are
// being analysed, then the stack starts again on the same data and finishes every image exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, startLocalStack } from '../../local/stack/local-stack';
import { allImages } from '../../tasks/shared/image-scan';
import { fixturePath, tempDir } from './support';
import { randomDevPort } from '../support/ports';

jest.setTimeout(240_000);

const BIN = join(__dirname, '..', '..', 'bin', 'picflow.js');
const IMAGES = ['astronaut.png', 'coffee.png', 'chelsea.png', 'page.png', 'rocket.jpg', 'motorcycle_left.png'];

function startDev(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'dev', '--port', String(port), '--workers', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Waiting for uploads')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`picflow dev exited (${code}): ${stderr}`)));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function statuses(dynamodb: DynamoDBClient): Promise<Record<string, string>> {
  const images = await allImages(dynamodb, 'picflow-images', { consistentRead: true });
  return Object.fromEntries(images.map((i) => [i.key as string, i.status as string]));
}

describe('Local stack: restart in the middle of a batch', () => {
  const data = tempDir('restart');
  afterAll(() => data.remove());

  it('processes every image exactly once after a crash', async () => {
    // Prepare: a dev server on its own ports, and all images uploaded to it
    const port = randomDevPort();
    const dev = await startDev(data.path, port);
    const config = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    const s3 = new S3Client({ ...config, endpoint: `http://127.0.0.1:${port + 1}`, forcePathStyle: true });
    const dynamodb = new DynamoDBClient({ ...config, endpoint: `http://127.0.0.1:${port + 2}` });
    for (const name of IMAGES) {
      await s3.send(new PutObjectCommand({ Bucket: 'picflow-local', Key: `uploads/${name}`, Body: readFileSync(fixturePath(name)) }));
    }

    // Act: kill it as soon as the first image is done, then start again on the same data
    let before: Record<string, string> = {};
    for (let i = 0; i < 600 && !Object.values(before).includes('SUCCEEDED'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      before = await statuses(dynamodb);
    }
    // The stack runs in the process that holds the data directory's lock (bin/picflow.js may have
    // re-launched itself); kill the launcher and wait until that process is gone too.
    const stackPid = (JSON.parse(readFileSync(join(data.path, 'stack.lock'), 'utf8')) as { pid: number }).pid;
    dev.kill('SIGKILL');
    await new Promise((resolve) => dev.once('exit', resolve));
    for (let i = 0; i < 100 && isAlive(stackPid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isAlive(stackPid)).toBe(false);
    s3.destroy();
    dynamodb.destroy();
    const unfinishedAtCrash = IMAGES.filter((name) => before[`uploads/${name}`] !== 'SUCCEEDED');

    const stack = await startLocalStack({ dataDir: data.path, rekognitionWorkers: 1 });
    try {
      await stack.runner.idle();

      // Assess: the crash left work unfinished, and now every image has one SUCCEEDED item and one execution
      expect(unfinishedAtCrash.length).toBeGreaterThan(0);
      expect(stack.recovery.resumed + stack.recovery.started).toBeGreaterThanOrEqual(unfinishedAtCrash.length);
      const after = await statuses(stack.clients.dynamodb);
      expect(after).toEqual(Object.fromEntries(IMAGES.map((name) => [`uploads/${name}`, 'SUCCEEDED'])));
      const executions = await stack.store.list();
      expect(executions.map((e) => e.imageId).sort()).toEqual(IMAGES.map((name) => `picflow-local/uploads/${name}`).sort());
      expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
      const dlq = await stack.clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: stack.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(dlq.Attributes?.ApproximateNumberOfMessages).toBe('0');
    } finally {
      await stack.close();
    }
  });
});
