/**
 * Text with tesseract.js 7 (LSTM engine, English "best_int" traineddata from @tesseract.js-data/eng).
 * tesseract.js runs its wasm core in its own worker thread; the traineddata is read from the package
 * folder and never cached to disk (cacheMethod "none": otherwise it writes eng.traineddata into cwd).
 * tesseract's own diagnostics go to its debug file, /dev/null, instead of the process's stderr.
 */
import Tesseract from 'tesseract.js';
import { tesseractLangDir } from './model-paths';

export interface OcrWord {
  text: string;
  /** 0..100 */
  confidence: number;
  /** [left, top, width, height], ratios of the image size. */
  box: [number, number, number, number];
}

export interface OcrLine extends OcrWord {
  words: OcrWord[];
}

type Bbox = { x0: number; y0: number; x1: number; y1: number };

export class OcrModel {
  private worker?: Tesseract.Worker;
  private loading?: Promise<void>;
  /** tesseract.js starts every worker in SINGLE_BLOCK page segmentation. */
  private mode: Tesseract.PSM = Tesseract.PSM.SINGLE_BLOCK;

  load(): Promise<void> {
    this.loading ??= (async () => {
      this.worker = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
        langPath: tesseractLangDir(),
        cacheMethod: 'none',
        gzip: true,
        logger: () => undefined,
        errorHandler: () => undefined,
      });
      // tesseract's C++ prints its diagnostics ("Image too small to scale!!", "Line cannot be
      // recognized!!", baseline statistics) with tprintf: to `debug_file` when set, else to stderr, which
      // the wasm worker thread shares with this process (the user's terminal under `picflow analyze`).
      // /dev/null exists in the wasm module's own file system.
      await this.worker.setParameters({ user_defined_dpi: '300', debug_file: '/dev/null' });
    })();
    return this.loading;
  }

  /**
   * Lines and their words from an encoded (PNG, or binary PGM) image of the given size. `pageLayout`: segment the page
   * first (tesseract's PSM AUTO), which finds no text line in the image regions of a photo, instead of
   * reading the whole image as one block of text (tesseract.js's default, SINGLE_BLOCK, used otherwise).
   */
  async recognize(png: Uint8Array, width: number, height: number, pageLayout = false): Promise<OcrLine[]> {
    await this.load();
    const mode = pageLayout ? Tesseract.PSM.AUTO : Tesseract.PSM.SINGLE_BLOCK;
    if (mode !== this.mode) {
      await this.worker!.setParameters({ tessedit_pageseg_mode: mode });
      this.mode = mode;
    }
    const { data } = await this.worker!.recognize(
      Buffer.from(png.buffer, png.byteOffset, png.byteLength),
      {},
      { blocks: true, text: false },
    );
    const box = (b: Bbox): [number, number, number, number] => [b.x0 / width, b.y0 / height, (b.x1 - b.x0) / width, (b.y1 - b.y0) / height];
    const lines: OcrLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const line of paragraph.lines) {
          lines.push({
            text: line.text.trim(),
            confidence: line.confidence,
            box: box(line.bbox),
            words: line.words.map((w) => ({ text: w.text, confidence: w.confidence, box: box(w.bbox) })),
          });
        }
      }
    }
    return lines;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.loading = undefined;
    this.mode = Tesseract.PSM.SINGLE_BLOCK;
    if (worker) await worker.terminate();
  }
}
