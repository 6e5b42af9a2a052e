/**
 * The bench's fixed photo set: the sample images of test/fixtures/images upscaled with sharp to JPEG
 * variants of ~1.5 MP (1500x1000) and ~12 MP (4240x2832), written to a directory. Deterministic: the
 * same sources, sizes, order and encoder settings give the same bytes for a given sharp/libvips build.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export const FIXTURE_DIR = join(__dirname, '..', 'test', 'fixtures', 'images');
export const SOURCES = ['astronaut.png', 'coffee.png', 'chelsea.png', 'motorcycle_left.png', 'page.png', 'rocket.jpg'] as const;

export const VARIANTS = [
  { name: '1.5MP', width: 1500, height: 1000 },
  { name: '12MP', width: 4240, height: 2832 },
] as const;

export type VariantName = (typeof VARIANTS)[number]['name'];

export interface BenchImage {
  /** e.g. `03-chelsea-12MP.jpg` (unique within the set). */
  name: string;
  file: string;
  source: string;
  variant: VariantName;
  width: number;
  height: number;
  bytes: Buffer;
}

/** JPEG quality of the generated photos: a typical camera/phone setting. */
const JPEG_QUALITY = 90;

/**
 * `count` images, alternating 1.5 MP and 12 MP, cycling through the sources: image i is
 * source (i/2 mod 6) at variant (i mod 2). Each distinct (source, variant) is rendered once.
 */
export async function generateImages(dir: string, count: number): Promise<BenchImage[]> {
  const rendered = new Map<string, Buffer>();
  const images: BenchImage[] = [];
  for (let i = 0; i < count; i++) {
    const source = SOURCES[Math.floor(i / VARIANTS.length) % SOURCES.length]!;
    const variant = VARIANTS[i % VARIANTS.length]!;
    const cacheKey = `${source}@${variant.name}`;
    let bytes = rendered.get(cacheKey);
    if (!bytes) {
      bytes = await renderVariant(join(FIXTURE_DIR, source), variant.width, variant.height, source === 'page.png');
      rendered.set(cacheKey, bytes);
    }
    const name = `${String(i).padStart(2, '0')}-${source.replace(/\.\w+$/, '')}-${variant.name}.jpg`;
    const file = join(dir, name);
    writeFileSync(file, bytes);
    images.push({ name, file, source, variant: variant.name, width: variant.width, height: variant.height, bytes });
  }
  return images;
}

/**
 * Upscaled to exactly width x height: photos are cropped to the 3:2 frame (cover), the text page is
 * letterboxed on white (contain) so none of its text is cut off.
 */
async function renderVariant(path: string, width: number, height: number, letterbox: boolean): Promise<Buffer> {
  return sharp(path)
    .removeAlpha()
    .resize(width, height, letterbox ? { fit: 'contain', background: '#ffffff' } : { fit: 'cover', position: 'centre' })
    .toColourspace('srgb')
    .jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:2:0' })
    .toBuffer();
}
