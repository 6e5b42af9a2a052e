/**
 * Moderation with nsfwjs 4.x MobileNetV2 (224x224, classes Drawing/Hentai/Neutral/Porn/Sexy).
 * nsfwjs bundles the weights as JS modules holding base64 text; its stock loader decodes that in a JS loop
 * (seconds and hundreds of MB). This IOHandler decodes the shard with Buffer in one call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NSFWJS } from 'nsfwjs';
import { nsfwModelDir } from './model-paths';
import { artifactsFrom, initTfjsWasm, tf } from './tfjs-runtime';

export const NSFW_CLASS_NAMES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASS_NAMES)[number];
export type NsfwScores = Record<NsfwClass, number>;

/** The input size the MobileNetV2 model was trained at. */
export const NSFW_INPUT_SIZE = 224;

/** Reads the base64 string out of one of nsfwjs's "<name>.min.js" weight bundles without evaluating it. */
function base64FromBundle(file: string): Buffer {
  const text = fs.readFileSync(file, 'latin1');
  // The bundle is a browserify wrapper around `module.exports = "<base64>"`: take the longest quoted run.
  const match = text.match(/"([A-Za-z0-9+/=]{1000,})"/);
  if (!match) throw new Error(`no base64 weights found in ${file}`);
  return Buffer.from(match[1]!, 'base64');
}

export function nsfwIOHandler(dir = nsfwModelDir()): tf.io.IOHandler {
  return {
    load: async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const json = require(path.join(dir, 'model.min.js')) as Parameters<typeof artifactsFrom>[0];
      return artifactsFrom(json, (name) => base64FromBundle(path.join(dir, `${name}.min.js`)));
    },
  };
}

export class NsfwModel {
  private model?: NSFWJS;
  private loading?: Promise<void>;

  load(): Promise<void> {
    this.loading ??= (async () => {
      await initTfjsWasm();
      const model = new NSFWJS(nsfwIOHandler(), { size: NSFW_INPUT_SIZE });
      await model.load();
      this.model = model;
    })();
    return this.loading;
  }

  /** Class probabilities for an RGB image (any size; nsfwjs resizes to 224x224). */
  async classify(rgb: Uint8Array, width: number, height: number): Promise<NsfwScores> {
    await this.load();
    const img = tf.tensor3d(Int32Array.from(rgb), [height, width, 3], 'int32');
    try {
      const predictions = await this.model!.classify(img, NSFW_CLASS_NAMES.length);
      const scores = Object.fromEntries(NSFW_CLASS_NAMES.map((c) => [c, 0])) as NsfwScores;
      for (const p of predictions) scores[p.className as NsfwClass] = p.probability;
      return scores;
    } finally {
      img.dispose();
    }
  }
}
