/**
 * TensorFlow.js on the wasm backend (tfjs-node cannot be installed here), once per thread,
 * plus a file:// load router so every graph/layers model is read from disk, never fetched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tfjsWasmDir } from './model-paths';

export { tf };

let ready: Promise<void> | undefined;

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  signature?: unknown;
  userDefinedMetadata?: tf.io.ModelArtifacts['userDefinedMetadata'];
  modelInitializer?: unknown;
}

/** A tfjs model artifact set from a model.json (any weights layout) and a resolver for shard names. */
export function artifactsFrom(json: ModelJson, readShard: (name: string) => Uint8Array): tf.io.ModelArtifacts {
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths) shards.push(readShard(p));
    weightSpecs.push(...group.weights);
  }
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const s of shards) {
    weightData.set(s, offset);
    offset += s.byteLength;
  }
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs,
    weightData: weightData.buffer,
    signature: json.signature as tf.io.ModelArtifacts['signature'],
    userDefinedMetadata: json.userDefinedMetadata,
    modelInitializer: json.modelInitializer as tf.io.ModelArtifacts['modelInitializer'],
  };
}

/** An IOHandler reading a tfjs model.json and its .bin shards from disk. */
export function diskIOHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await fs.promises.readFile(modelJsonPath, 'utf8')) as ModelJson;
      const dir = path.dirname(modelJsonPath);
      return artifactsFrom(json, (name) => fs.readFileSync(path.join(dir, name)));
    },
  };
}

/** Initialises the wasm backend in this thread (idempotent). */
export function initTfjsWasm(): Promise<void> {
  ready ??= (async () => {
    tf.io.registerLoadRouter(((url: string | string[]) => {
      const u = Array.isArray(url) ? url[0] : url;
      return typeof u === 'string' && u.startsWith('file://') ? diskIOHandler(decodeURIComponent(u.slice('file://'.length))) : null;
    }) as Parameters<typeof tf.io.registerLoadRouter>[0]);
    setWasmPaths(tfjsWasmDir());
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
  })();
  return ready;
}
