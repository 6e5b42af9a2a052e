// `picflow analyze` and `picflow replay` as a user runs them (child processes) while `picflow dev`
// runs: each upload waits for the execution it started, ignored settings are named, retries shown,
// and a replay says what really happened to each message.
import sharp from 'sharp';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { picflow, startDev, type DevServer } from './run-picflow';
import { fixturePath, tempDir } from '../e2e/support';

jest.setTimeout(240_000);

describe('CLI: analyze through a running picflow dev', () => {
  const data = tempDir('cli-analyze-dev');
  const files = tempDir('cli-analyze-dev-files');
  let dev: DevServer;

  beforeAll(async () => {
    // The server throttles DetectFaces twice per call sequence: every image has retries to report
    // (face indexing off: the faces branch then calls DetectFaces; local faults do not cover IndexFaces)
    dev = await startDev(data.path, { PICFLOW_FAULTS: JSON.stringify({ DetectFaces: { throttle: 2 } }), FACE_INDEXING: 'false' });
  });

  afterAll(async () => {
    await dev.stop();
    data.remove();
    files.remove();
  });

  it('shows the retries in --json and in the table (the server throttles its first two DetectFaces calls)', async () => {
    // Act: the first image this server sees
    const env = { PICFLOW_FAULTS: JSON.stringify({ DetectFaces: { throttle: 2 } }) };
    const json = await picflow(['--data-dir', data.path, 'analyze', '--json', fixturePath('coffee.png')], env);
    const table = await picflow(['--data-dir', data.path, 'analyze', fixturePath('coffee.png')], env);

    // Assess: the counts the dev server printed for the two executions
    const [item] = JSON.parse(json.stdout) as { retries: number; executionId: string }[];
    expect(item.retries).toBe(2);
    expect(dev.log()).toMatch(new RegExp(`${item.executionId.split(':').pop()}\\s+SUCCEEDED in [\\d.]+s, 2 retries`));
    expect(table.stdout).toMatch(/^image\s+status\s+retries\s+faces/);
    expect(table.stdout).toMatch(/coffee\.png\s+SUCCEEDED\s+0\s/);
  });

  it('uploading the same bytes again waits for the new execution, not the previous result', async () => {
    // Prepare: a first run of the image has stored its item
    const args = ['--data-dir', data.path, 'analyze', '--json', fixturePath('rocket.jpg')];
    const env = { PICFLOW_FAULTS: JSON.stringify({ DetectFaces: { throttle: 2 } }) };
    const first = JSON.parse((await picflow(args, env)).stdout) as { executionId: string; sequencer: string }[];

    // ... and the server (one execution at a time) is busy with another image, so the new upload's
    // execution waits in line while the previous result is still stored
    const busyDir = join(files.path, 'busy');
    mkdirSync(busyDir);
    for (const n of [1, 2, 3, 4, 5]) copyFileSync(fixturePath('chelsea.png'), join(busyDir, `busy-${n}.png`));
    const busy = picflow(['--data-dir', data.path, 'analyze', '--json', busyDir], env);
    // The first of them to start: the other four wait behind it (QUEUED in the console's API)
    await dev.waitFor(/▶ busy-\d-png-\w+/);

    // Act: the same bytes to the same key
    const second = JSON.parse((await picflow(args, env)).stdout) as { executionId: string; sequencer: string; status: string }[];
    const busyItems = JSON.parse((await busy).stdout) as { status: string }[];

    // Assess: the images that waited in line were waited for, not reported as ended while QUEUED
    expect(busyItems.map((item) => item.status)).toEqual(Array(5).fill('SUCCEEDED'));
    // ... and the new upload got a different, later version's item, from a different execution
    expect(second[0].sequencer > first[0].sequencer).toBe(true);
    expect(second[0].executionId).not.toBe(first[0].executionId);
    expect(second[0].status).toBe('SUCCEEDED');
  });

  it('names each setting the running server ignores, and how to apply it', async () => {
    // Act: different faults, a disabled analysis, and --workers, none of which the server takes
    const { stderr } = await picflow(['--data-dir', data.path, 'analyze', '--workers', '1', fixturePath('coffee.png')], {
      PICFLOW_FAULTS: JSON.stringify({ DetectText: { fail: 'InvalidParameterException' } }),
      ANALYSES: 'faces',
    });

    // Assess
    expect(stderr).toMatch(
      /using the running picflow dev \(pid \d+\); its own settings apply, so PICFLOW_FAULTS, ANALYSES, --workers given here are ignored/,
    );
    expect(stderr).toContain('restart picflow dev with them');
  });

  it('a 1x1 PNG is FAILED TOO_SMALL, and --json says moderation unavailable as the table does', async () => {
    // Prepare
    const dot = join(files.path, 'dot.png');
    writeFileSync(
      dot,
      await sharp({ create: { width: 1, height: 1, channels: 3, background: 'white' } })
        .png()
        .toBuffer(),
    );

    // Act
    const table = await picflow(['--data-dir', data.path, 'analyze', dot]);
    const json = await picflow(['--data-dir', data.path, 'analyze', '--json', dot]);

    // Assess
    const [item] = JSON.parse(json.stdout) as { status: string; statusReason: string; moderation: { verdict: string } }[];
    expect(item.status).toBe('FAILED');
    expect(item.statusReason).toMatch(/TOO_SMALL/);
    expect(item.moderation.verdict).toBe('unavailable');
    expect(table.stdout).toMatch(/dot\.png\s+FAILED\s+0\s+n\/a\s+n\/a\s+n\/a\s+unavailable/);
  });

  it('replays two dead letters of one corrupt image: one fails again, the older is skipped and deleted as obsolete', async () => {
    // Prepare: the same corrupt file uploaded twice (two versions, two dead letters)
    const broken = join(files.path, 'broken.jpg');
    copyFileSync(fixturePath('truncated.jpg'), broken);
    await picflow(['--data-dir', data.path, 'analyze', broken]);
    await picflow(['--data-dir', data.path, 'analyze', broken]);

    // Act: a corrupt image is a permanent failure, skipped unless asked for (test/cli/dlq.test.ts)
    const replayed = await picflow(['--data-dir', data.path, 'replay', '--include-permanent']);

    // Assess: no "2 succeeded"; what happened to each message is said
    const lines = replayed.stdout
      .trim()
      .split('\n')
      .filter((l) => l.includes('broken.jpg'));
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => /^FAILED\s+uploads\/broken\.jpg .*\[message kept: failed again\]/.test(l))).toBe(true);
    expect(
      lines.some((l) =>
        /^SKIPPED\s+uploads\/broken\.jpg\s+AlreadyProcessed: a newer version owns the key.*\[message deleted: obsolete/.test(l),
      ),
    ).toBe(true);
    expect(replayed.stderr).toMatch(/: 0 succeeded, \d+ failed again, \d+ skipped; \d+ deleted, \d+ kept/);
    expect(replayed.code).toBe(1);
  });
});
