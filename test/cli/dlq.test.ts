// `picflow dlq` and `picflow replay` as a user runs them (child processes) on a local data directory whose
// dead-letter queue holds a corrupt image (a permanent failure) and a PARTIAL one (a replayable failure):
// without `picflow dev`, then through it (its console API).
import { picflow, startDev } from './run-picflow';
import { fixturePath, tempDir } from '../e2e/support';

jest.setTimeout(240_000);

interface Listed {
  messageId: string;
  key: string;
  permanent: boolean;
  failureKind: string;
}

async function listed(dataDir: string): Promise<Listed[]> {
  const { stdout, code } = await picflow(['--data-dir', dataDir, 'dlq', 'list', '--json']);
  expect(code).toBe(0);
  return (JSON.parse(stdout) as Listed[]).sort((a, b) => a.key.localeCompare(b.key));
}

describe('CLI: picflow dlq and replay on the local data directory', () => {
  it('lists a corrupt image as permanent, replay skips it (exit 0) and replays the other, discard --all-permanent removes it', async () => {
    // Prepare: a corrupt image (FAILED: CORRUPT) and one whose text detection was made to fail (PARTIAL: replayable)
    const data = tempDir('cli-dlq');
    try {
      await picflow(['--data-dir', data.path, 'analyze', '--workers', '1', fixturePath('truncated.jpg')]);
      await picflow(['--data-dir', data.path, 'analyze', '--workers', '1', fixturePath('coffee.png')], {
        PICFLOW_FAULTS: JSON.stringify({ DetectText: { fail: 'InvalidParameterException' } }),
      });

      // Act: list
      const table = await picflow(['--data-dir', data.path, 'dlq', 'list']);
      const before = await listed(data.path);

      // Assess
      expect(before.map((m) => [m.key, m.permanent, m.failureKind])).toEqual([
        ['uploads/coffee.png', false, 'Rekognition.InvalidParameterException'],
        ['uploads/truncated.jpg', true, 'CORRUPT'],
      ]);
      expect(table.stdout).toMatch(/^MESSAGE ID\s+IMAGE\s+FAILURE\s+PERMANENT\s+AGE\s+REASON/);
      expect(table.stdout).toMatch(/uploads\/truncated\.jpg\s+CORRUPT\s+yes\s+\d+[smhd]\s+ValidateImage failed/);
      expect(table.stderr).toContain('2 message(s) in the local dead-letter queue');

      // Act: replay
      const replay = await picflow(['--data-dir', data.path, 'replay']);

      // Assess: the replayable one ran and left; the corrupt one was skipped, said why, and kept
      expect(replay.code).toBe(0);
      expect(replay.stdout).toMatch(/^SUCCEEDED\s+uploads\/coffee\.png/m);
      expect(replay.stdout).toMatch(/^SKIPPED\s+uploads\/truncated\.jpg\s+permanent failure \(CORRUPT\)/m);
      expect(replay.stderr).toContain('skipped 1 permanent failure(s) (CORRUPT 1)');
      expect((await listed(data.path)).map((m) => m.key)).toEqual(['uploads/truncated.jpg']);

      // Act: discard
      const unknown = await picflow(['--data-dir', data.path, 'dlq', 'discard', 'no-such-message']);
      const discard = await picflow(['--data-dir', data.path, 'dlq', 'discard', '--all-permanent']);

      // Assess
      expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no message no-such-message in the queue') });
      expect(discard.code).toBe(0);
      expect(discard.stdout).toContain(`discarded ${before[1].messageId}  uploads/truncated.jpg  CORRUPT`);
      expect(await listed(data.path)).toEqual([]);
    } finally {
      data.remove();
    }
  });

  it('does the same through a running picflow dev (its console API)', async () => {
    // Prepare: the corrupt image analysed by the dev server
    const data = tempDir('cli-dlq-dev');
    const dev = await startDev(data.path);
    try {
      await picflow(['--data-dir', data.path, 'analyze', fixturePath('truncated.jpg')]);

      // Act
      const before = await listed(data.path);
      const replay = await picflow(['--data-dir', data.path, 'replay']);
      const discard = await picflow(['--data-dir', data.path, 'dlq', 'discard', '--all-permanent']);
      const after = await listed(data.path);

      // Assess
      expect(before.map((m) => [m.key, m.permanent, m.failureKind])).toEqual([['uploads/truncated.jpg', true, 'CORRUPT']]);
      expect(replay.code).toBe(0);
      expect(replay.stderr).toContain('skipped 1 permanent failure(s) (CORRUPT 1)');
      expect(discard.stderr).toMatch(/1 message\(s\) discarded from the dead-letter queue of picflow dev/);
      expect(after).toEqual([]);
    } finally {
      await dev.stop();
      data.remove();
    }
  });

  it('refuses a discard with nothing to discard (usage error, exit 2)', async () => {
    // Act
    const result = await picflow(['dlq', 'discard']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('name the message ids to discard, or pass --all-permanent');
  });
});
