// One local stack per data directory: a second one is refused with a clear message, a lock left
// behind by a dead process is taken over, and a released lock can be taken again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from '../../../local/stack/data-dir-lock';

describe('Function: lockDataDir', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'picflow-lock-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder while the first is alive, and says who holds it', () => {
    // Prepare: a lock held by another live process (this test's parent stands in for it)
    writeFileSync(
      join(dir, 'stack.lock'),
      JSON.stringify({ pid: process.ppid, command: 'dev --port 4566', since: '2026-11-23T18:00:00Z' }),
    );

    // Act & Assess
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(`is in use by another picflow (pid ${process.ppid}: dev --port 4566`);
  });

  it('takes over a lock left by a process that died', () => {
    // Prepare: the pid of a process that has exited
    const { pid } = spawnSync(process.execPath, ['-e', '0']);
    writeFileSync(join(dir, 'stack.lock'), JSON.stringify({ pid, since: '2026-11-23T18:00:00Z' }));

    // Act
    const lock = lockDataDir(dir);

    // Assess
    expect(existsSync(join(dir, 'stack.lock'))).toBe(true);
    lock.release();
    expect(existsSync(join(dir, 'stack.lock'))).toBe(false);
  });

  it('can be taken again once released', () => {
    lockDataDir(dir).release();
    expect(() => lockDataDir(dir).release()).not.toThrow();
  });
});
