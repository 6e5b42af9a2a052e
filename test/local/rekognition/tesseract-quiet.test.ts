// tesseract's own diagnostics ("Image too small to scale!!", "Line cannot be recognized!!", baseline
// statistics) are printed by its C++ code inside tesseract.js's worker thread, straight to the process's
// stderr: the user's terminal under `picflow analyze`. The OCR model must keep them out.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';
import { tempDir } from '../../e2e/support';

jest.setTimeout(120_000);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'ocr-chatter-child.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('OcrModel', () => {
  it("prints nothing of tesseract's own on a line it cannot read (a lone dark pixel read as one line)", async () => {
    // Prepare: white, one black pixel; single-line mode (7) makes tesseract report on the empty line
    const dir = tempDir('ocr-quiet');
    try {
      const file = join(dir.path, 'pixel.png');
      await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffffff' } })
        .composite([{ input: { create: { width: 1, height: 1, channels: 3, background: '#000000' } }, left: 50, top: 50 }])
        .png()
        .toFile(file);

      // Act
      const result = await run([file, '7']);

      // Assess
      expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/^\{"lines":\d+\}\n$/), stderr: '' });
    } finally {
      dir.remove();
    }
  });
});
