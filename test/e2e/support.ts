// Shared set-up for the end-to-end tests: temp data directories and inputs written to disk.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'images');

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `picflow-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Two copies of the astronaut side by side: a real photo with two faces. */
export async function writeTwoFaces(dir: string): Promise<string> {
  const astronaut = await sharp(fixturePath('astronaut.png')).resize(400, 400).toBuffer();
  const file = join(dir, 'two-astronauts.jpg');
  await sharp({ create: { width: 800, height: 400, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      { input: astronaut, left: 0, top: 0 },
      { input: astronaut, left: 400, top: 0 },
    ])
    .jpeg({ quality: 92 })
    .toFile(file);
  return file;
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Runs the `picflow` command as a user does: a child process, stdout and stderr kept apart, its exit code. */
export function runPicflow(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = join(__dirname, '..', '..', 'bin', 'picflow.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
