// The test images in test/fixtures/images, read as bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_IMAGES = join(__dirname, '..', 'fixtures', 'images');

/** The bytes of test/fixtures/images/<name>. */
export function fixtureImage(name: string): Buffer {
  return readFileSync(join(FIXTURE_IMAGES, name));
}
