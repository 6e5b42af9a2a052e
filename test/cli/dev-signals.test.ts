// `picflow dev` stops cleanly on SIGINT and SIGTERM however it was launched: through bin/picflow.js
// (which re-launches itself with MALLOC_ARENA_MAX and forwards signals), directly, and under npx
// (whose `sh -c` passes no SIGINT on; a SIGTERM ends that shell, and the launcher notices).
import { startDev } from './run-picflow';
import { tempDir } from '../e2e/support';

jest.setTimeout(180_000);

function exitOf(child: import('node:child_process').ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

describe('CLI: picflow dev and signals', () => {
  it.each([
    ['SIGINT', {}],
    ['SIGTERM', {}],
    ['SIGINT', { MALLOC_ARENA_MAX: '2' }], // no re-launch: the CLI process itself gets the signal
  ] as const)('%s to `node bin/picflow.js dev` (env %j) prints that it stopped and exits 0', async (signal, env) => {
    // Prepare
    const data = tempDir('cli-signal');
    try {
      const dev = await startDev(data.path, env);

      // Act
      const exited = exitOf(dev.child);
      dev.child.kill(signal);
      const { code } = await exited;

      // Assess
      expect(dev.log()).toContain('picflow dev: stopping');
      expect(dev.log()).toContain('picflow dev: stopped');
      expect(code).toBe(0);
    } finally {
      data.remove();
    }
  });

  it('SIGTERM to `npx picflow dev` stops the server behind it', async () => {
    // Prepare
    const data = tempDir('cli-signal-npx');
    try {
      const dev = await startDev(data.path, {}, ['npx', '--no-install', 'picflow']);
      const pid = Number(/kill -INT (\d+)/.exec(dev.log())![1]);

      // Act
      const exited = exitOf(dev.child);
      dev.child.kill('SIGTERM');
      await exited;
      await dev.waitFor(/picflow dev: stopped/);

      // Assess: the real server process (the pid its banner names) is gone
      for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(isAlive(pid)).toBe(false);
    } finally {
      data.remove();
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
