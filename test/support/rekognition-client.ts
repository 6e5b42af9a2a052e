// An SDK Rekognition client on a local Rekognition server (local/rekognition), with test credentials.
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { RekognitionServer } from '../../local/rekognition';

/** A client on `server`; one attempt unless a test means to see the SDK retry. */
export function localRekognitionClient(server: RekognitionServer, maxAttempts = 1): RekognitionClient {
  return new RekognitionClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
}
