/**
 * Bench of the local Rekognition endpoint on the sample images (not a test):
 *   npx tsx bench/rekognition-models.ts [--workers N] [--rounds N]
 * Prints model load time, per-operation milliseconds per image (client-side: HTTP + decode + model) and the
 * process's peak RSS (worker threads included).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  DetectTextCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { ANALYZER_NAME, startRekognitionServer } from '../local/rekognition';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const IMAGES = ['astronaut.png', 'chelsea.png', 'coffee.png', 'motorcycle_left.png', 'page.png', 'rocket.jpg'];
const dir = path.join(__dirname, '..', 'test', 'fixtures', 'images');

async function main(): Promise<void> {
  const workers = arg('workers', 1);
  const rounds = arg('rounds', 3);
  const t0 = performance.now();
  const server = await startRekognitionServer({ workers, preload: true });
  const loadMs = performance.now() - t0;
  const client = new RekognitionClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  console.log(`${ANALYZER_NAME}\nworkers=${workers}, start + load all models: ${loadMs.toFixed(0)} ms\n`);
  const ops = {
    DetectFaces: (b: Uint8Array) => client.send(new DetectFacesCommand({ Image: { Bytes: b }, Attributes: ['ALL'] })),
    DetectLabels: (b: Uint8Array) => client.send(new DetectLabelsCommand({ Image: { Bytes: b } })),
    DetectModerationLabels: (b: Uint8Array) => client.send(new DetectModerationLabelsCommand({ Image: { Bytes: b } })),
    DetectText: (b: Uint8Array) => client.send(new DetectTextCommand({ Image: { Bytes: b } })),
  };
  const rows: string[] = [];
  for (const image of IMAGES) {
    const bytes = readFileSync(path.join(dir, image));
    const cells: string[] = [];
    for (const [name, call] of Object.entries(ops)) {
      await call(bytes); // warm (first call compiles wasm kernels for this input size)
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        await call(bytes);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      cells.push(`${name}=${times[Math.floor(times.length / 2)]!.toFixed(0)}`);
    }
    rows.push(`${image.padEnd(20)} ${cells.join('  ')}  (median ms of ${rounds})`);
  }
  console.log(rows.join('\n'));
  console.log(`\npeak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  client.destroy();
  await server.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
