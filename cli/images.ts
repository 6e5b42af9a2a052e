/** Turns the paths given to `picflow analyze` into the files to upload, and each file's object key. */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';

/** Extensions picked up when a directory is given; a file named explicitly is always sent. */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.tif', '.tiff', '.avif', '.heic', '.heif', '.bmp']);

export function collectImageFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(path);
    } catch {
      throw new Error(`${path}: no such file or directory`);
    }
    if (stats.isDirectory()) files.push(...imagesUnder(resolve(path)));
    else files.push(resolve(path));
  }
  if (files.length === 0) throw new Error(`no images found in ${paths.join(', ')} (looked for ${[...IMAGE_EXTENSIONS].join(' ')})`);
  return [...new Set(files)];
}

function imagesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return imagesUnder(path);
      return IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase()) ? [path] : [];
    });
}

/** One object key per file under the upload prefix; files with the same name get a numbered key. */
export function uploadKeys(files: string[], uploadPrefix: string): string[] {
  const used = new Map<string, number>();
  return files.map((file) => {
    const name = basename(file);
    const seen = used.get(name) ?? 0;
    used.set(name, seen + 1);
    return `${uploadPrefix}${seen === 0 ? name : `${seen + 1}-${name}`}`;
  });
}
