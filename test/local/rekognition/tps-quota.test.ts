// The local Rekognition endpoint's per-operation TPS quota: the token bucket on a fake clock, and the
// real server's answer over the wire as the AWS SDK parses it (and as the tasks rename it for the retriers).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DetectModerationLabelsCommand, ProvisionedThroughputExceededException, RekognitionClient } from '@aws-sdk/client-rekognition';
import { startRekognitionServer, type RekognitionServer } from '../../../local/rekognition';
import { parseTpsQuota, TokenBucket, TpsQuota } from '../../../local/rekognition/tps-quota';
import { toServiceError } from '../../../tasks/shared/errors';
import { signedHeaders } from '../support/signed-headers';

const PNG = readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'images', 'astronaut.png'));

describe('TokenBucket', () => {
  it('lets a full bucket through, refuses when empty, and refills at the rate', () => {
    // Prepare: 2 tokens a second, starts full
    const bucket = new TokenBucket(2, 2, 0);

    // Act
    const burst = [bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)];
    const afterQuarterSecond = bucket.tryTake(250);
    const afterHalfSecond = bucket.tryTake(500);

    // Assess
    expect(burst).toEqual([true, true, false]);
    expect(afterQuarterSecond).toBe(false); // half a token
    expect(afterHalfSecond).toBe(true); // one token
  });

  it('never saves up more than its capacity', () => {
    const bucket = new TokenBucket(1, 1, 0);
    expect(bucket.tryTake(60_000)).toBe(true);
    expect(bucket.tryTake(60_000)).toBe(false);
  });
});

describe('TpsQuota', () => {
  it('limits each operation separately and only those configured; counts calls and refusals', () => {
    // Prepare
    let now = 0;
    const quota = new TpsQuota({ DetectFaces: 1 }, () => now);

    // Act
    const results = ['DetectFaces', 'DetectFaces', 'DetectText', 'DetectText'].map((op) => {
      try {
        quota.check(op as 'DetectFaces');
        return 'ok';
      } catch (err) {
        return (err as Error).name;
      }
    });
    now = 1000;
    quota.check('DetectFaces');

    // Assess
    expect(results).toEqual(['ok', 'ProvisionedThroughputExceededException', 'ok', 'ok']);
    expect(quota.stats()).toEqual({ DetectFaces: { calls: 3, throttled: 1 } });
  });

  it('reads the environment form: one number for every operation, or JSON per operation', () => {
    expect(parseTpsQuota('2')).toBe(2);
    expect(parseTpsQuota('{"DetectText":0.5}')).toEqual({ DetectText: 0.5 });
    expect(parseTpsQuota('')).toBeUndefined();
    expect(() => parseTpsQuota('{"DetectCelebrities":1}')).toThrow(/unknown operation/);
    expect(() => parseTpsQuota('0')).toThrow(/> 0/);
    expect(() => parseTpsQuota('fast')).toThrow(/PICFLOW_REKOGNITION_TPS/);
  });
});

describe('the endpoint over its quota', () => {
  let server: RekognitionServer;
  let client: RekognitionClient;

  beforeAll(async () => {
    server = await startRekognitionServer({
      workers: 1,
      preload: ['DetectModerationLabels'],
      faults: {},
      tps: { DetectModerationLabels: 0.2 },
    });
    client = new RekognitionClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  it('answers HTTP 400 ProvisionedThroughputExceededException, which the SDK surfaces and the tasks retry as Rekognition.ThrottlingException', async () => {
    // Prepare: the bucket holds one call; 0.2 TPS refills the next one in 5 s
    const command = () => new DetectModerationLabelsCommand({ Image: { Bytes: PNG } });
    await client.send(command());

    // Act: the SDK's reading
    const error = await client.send(command()).then(
      () => undefined,
      (err: unknown) => err as ProvisionedThroughputExceededException,
    );
    // ...and the wire
    const raw = await fetch(server.endpoint, {
      method: 'POST',
      headers: {
        'X-Amz-Target': 'RekognitionService.DetectModerationLabels',
        'Content-Type': 'application/x-amz-json-1.1',
        ...signedHeaders('rekognition'),
      },
      body: JSON.stringify({ Image: { Bytes: PNG.toString('base64') } }),
    });

    // Assess
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(error?.$metadata.httpStatusCode).toBe(400);
    expect(error?.message).toBe('Provisioned Rate exceeded.');
    expect(toServiceError('Rekognition', error).name).toBe('Rekognition.ThrottlingException');
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-errortype')).toBe('ProvisionedThroughputExceededException');
    expect(await raw.json()).toEqual({ __type: 'ProvisionedThroughputExceededException', message: 'Provisioned Rate exceeded.' });
    expect(server.quota.stats()).toEqual({ DetectModerationLabels: { calls: 3, throttled: 2 } });
  });
});
