/**
 * Moves a stored file that cannot be read (corrupt, truncated, empty) out of the way, into a
 * `quarantine/` folder beside it, and says so on stderr naming the file and why. Start-up then goes on
 * without it, and the bytes are kept for whoever wants to look at them.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const QUARANTINE_DIR = 'quarantine';

/** Returns where the file now is. */
export function quarantine(file: string, reason: string): string {
  const dir = join(dirname(file), QUARANTINE_DIR);
  mkdirSync(dir, { recursive: true });
  let target = join(dir, basename(file));
  // Never overwrite an earlier quarantined file of the same name: it may be the only copy of its bytes.
  for (let n = 1; existsSync(target); n++) target = join(dir, `${basename(file)}.${n}`);
  renameSync(file, target);
  process.stderr.write(`picflow: warning: ${file} cannot be read (${reason}); moved it to ${target} and carried on without it\n`);
  return target;
}

/** Why `text` (a file's content) is not a JSON object, or undefined when it is one. */
export function notAJsonObject(text: string): string | undefined {
  if (text.length === 0) return 'empty file';
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'not a JSON object';
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
}
