/**
 * `npx tsx bench/label-calibration.ts [--min-confidence 55,70]`: precision and recall of the local DetectLabels'
 * object labels (labels with Instances) on the hand-labelled photos of test/fixtures/labels/ground-truth.json,
 * per COCO class and overall, through the real local Rekognition server. Run it on two versions of the code
 * to compare thresholds (local/rekognition/README.md has the table).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { startRekognitionServer } from '../local/rekognition';
import { COCO_TO_LABEL } from '../local/rekognition/operations/label-taxonomy';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--min-confidence');
  const levels = (i >= 0 ? argv[i + 1]! : '55,70').split(',').map(Number);
  const truth = JSON.parse(readFileSync(join(FIXTURES, 'labels', 'ground-truth.json'), 'utf8')) as Record<string, string[]>;
  const nameOf = (cls: string): string => COCO_TO_LABEL[cls as keyof typeof COCO_TO_LABEL].name;
  const server = await startRekognitionServer({ workers: 1, preload: ['DetectLabels'] });
  const client = new RekognitionClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    // Object labels and their confidence per image, asked once at MinConfidence 0.
    const found = new Map<string, Map<string, number>>();
    for (const file of Object.keys(truth)) {
      const res = await client.send(new DetectLabelsCommand({ Image: { Bytes: readFileSync(join(FIXTURES, file)) }, MinConfidence: 0 }));
      found.set(file, new Map((res.Labels ?? []).filter((l) => (l.Instances ?? []).length > 0).map((l) => [l.Name!, l.Confidence!])));
    }
    for (const level of levels) {
      const perClass = new Map<string, { tp: number; fp: number; fn: number }>();
      const row = (name: string) => perClass.get(name) ?? perClass.set(name, { tp: 0, fp: 0, fn: 0 }).get(name)!;
      const lines: string[] = [];
      for (const [file, classes] of Object.entries(truth)) {
        const expected = new Set(classes.map(nameOf));
        const got = new Set([...found.get(file)!].filter(([, c]) => c >= level).map(([n]) => n));
        for (const n of got) row(n)[expected.has(n) ? 'tp' : 'fp']++;
        for (const n of expected) if (!got.has(n)) row(n).fn++;
        lines.push(`${file}: expected [${[...expected].join(', ')}], got [${[...got].join(', ')}]`);
      }
      const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(0)} % (${a}/${b})`);
      const out = [
        `## MinConfidence ${level}`,
        '',
        ...lines.map((l) => `- ${l}`),
        '',
        '| label | precision | recall |',
        '| --- | ---: | ---: |',
      ];
      const all = { tp: 0, fp: 0, fn: 0 };
      for (const [name, r] of [...perClass].sort()) {
        out.push(`| ${name} | ${pct(r.tp, r.tp + r.fp)} | ${pct(r.tp, r.tp + r.fn)} |`);
        all.tp += r.tp;
        all.fp += r.fp;
        all.fn += r.fn;
      }
      out.push(`| **all** | ${pct(all.tp, all.tp + all.fp)} | ${pct(all.tp, all.tp + all.fn)} |`, '');
      process.stdout.write(`${out.join('\n')}\n`);
    }
  } finally {
    client.destroy();
    await server.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`label-calibration: failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
