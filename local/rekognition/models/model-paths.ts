/**
 * Where the open models live on disk: all of them ship inside npm packages, nothing is fetched at run time.
 * Paths are resolved from the packages' entry points because some export maps hide package.json.
 */
import * as path from 'node:path';

function packageRoot(entry: string, levelsUp: number): string {
  let dir = path.dirname(require.resolve(entry));
  for (let i = 0; i < levelsUp; i++) dir = path.dirname(dir);
  return dir;
}

/** @vladmandic/human package root (entry: dist/human.node.js). */
export function humanRoot(): string {
  return packageRoot('@vladmandic/human', 1);
}

/** Human's node build for the wasm backend (the package main loads tfjs-node, which is not installed). */
export function humanWasmBuild(): string {
  return path.join(humanRoot(), 'dist', 'human.node-wasm.js');
}

export function humanModelsDir(): string {
  return path.join(humanRoot(), 'models');
}

/** Folder holding tfjs-backend-wasm's .wasm binaries, with a trailing separator as setWasmPaths wants. */
export function tfjsWasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/** nsfwjs bundles its weights as JS modules (model JSON + base64 shard) under dist/models/<name>/ (entry: dist/cjs/index.js). */
export function nsfwModelDir(name = 'mobilenet_v2'): string {
  return path.join(packageRoot('nsfwjs', 1), 'models', name);
}

/** Tesseract "best_int" English traineddata (gzip) from @tesseract.js-data/eng. */
export function tesseractLangDir(): string {
  return path.join(path.dirname(require.resolve('@tesseract.js-data/eng')), '4.0.0_best_int');
}
