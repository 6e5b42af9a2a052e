/**
 * One local stack per data directory at a time. LevelDB (under dynalite) allows a single process per
 * database and reports a second one only as "Database is closed" from deep inside; this lock turns
 * that into a clear message up front. A lock left by a process that died is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'stack.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, command: process.argv.slice(2).join(' '), since: new Date().toISOString() }));
      closeSync(fd);
      const release = () => rmSync(file, { force: true });
      process.once('exit', release);
      return {
        release: () => {
          process.removeListener('exit', release);
          release();
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder && isAlive(holder.pid)) {
        throw new DataDirInUseError(
          `${dataDir} is in use by another picflow (pid ${holder.pid}${holder.command ? `: ${holder.command}` : ''}, since ` +
            `${holder.since}). ` +
            'Wait for it to finish, run `picflow dev` once and point the other commands at it, or use another --data-dir.',
        );
      }
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  throw new DataDirInUseError(`could not lock ${dataDir}`);
}

function readHolder(file: string): { pid: number; command?: string; since?: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { pid: number; command?: string; since?: string };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
