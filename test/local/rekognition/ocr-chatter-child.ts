// Child process for tesseract-quiet.test.ts: recognises one image with picflow's OcrModel in the page
// segmentation mode given (tesseract's C++ prints its diagnostics from the worker thread straight to
// this process's stderr, which the test reads).
import { readFileSync } from 'node:fs';
import { OcrModel } from '../../../local/rekognition/models/tesseract-ocr';

void (async () => {
  const [file, psm] = process.argv.slice(2);
  const model = new OcrModel();
  await model.load();
  // The single-line mode makes tesseract print its baseline statistics for a line with no text in it.
  await (model as unknown as { worker: { setParameters(p: Record<string, string>): Promise<unknown> } }).worker.setParameters({
    tessedit_pageseg_mode: psm,
  });
  const lines = await model.recognize(readFileSync(file), 100, 100);
  await model.close();
  process.stdout.write(`${JSON.stringify({ lines: lines.length })}\n`);
})();
