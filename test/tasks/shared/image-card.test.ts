import { imageCard } from '../../../tasks/shared/image-card';
import { labelEntries } from '../../../tasks/shared/image-indexes';
import type { Label, Thumbnail } from '../../../tasks/shared/types';

const label = (name: string, confidence: number, parents: string[] = []): Label => ({ name, confidence, parents, instances: [] });
const thumbnail = (name: string, width: number, height: number): Thumbnail => ({
  name,
  key: `thumbnails/uploads/dog.jpg/abc/${name}.jpg`,
  width,
  height,
  fit: 'inside',
  bytes: width * height,
});

describe('Module: image-card', () => {
  it('keeps the face count, the three most confident labels, the verdict and the smallest thumbnail', () => {
    // Prepare
    const item = {
      faceCount: 0,
      labels: [label('Grass', 71), label('Dog', 98, ['Animal']), label('Pet', 90), label('Animal', 98), label('Ball', 95)],
      moderation: { verdict: 'suggestive' as const, labels: [] },
      thumbnails: [thumbnail('inside-512x512', 512, 384), thumbnail('cover-128x128', 128, 128), thumbnail('inside-256x256', 256, 192)],
    };

    // Act
    const card = imageCard(item);

    // Assess
    expect(card).toEqual({ f: 0, l: ['Dog', 'Animal', 'Ball'], v: 'suggestive', t: 'thumbnails/uploads/dog.jpg/abc/cover-128x128.jpg' });
  });

  it('is absent when there is nothing to show, and holds only what exists', () => {
    // Act
    const none = imageCard({});
    const thumbnailOnly = imageCard({ thumbnails: [thumbnail('cover-128x128', 128, 128)] });

    // Assess
    expect(none).toBeUndefined();
    expect(thumbnailOnly).toEqual({ t: 'thumbnails/uploads/dog.jpg/abc/cover-128x128.jpg' });
  });

  it('stays small: a full card with over-long labels is under 300 bytes (api/README.md read costs)', () => {
    // Prepare
    const long = 'L'.repeat(120);
    const item = {
      faceCount: 100,
      labels: [label(long, 99), label(long, 98), label(long, 97), label(long, 96)],
      moderation: { verdict: 'unavailable' as const, labels: [] },
      thumbnails: [thumbnail('cover-128x128', 128, 128)],
    };

    // Act
    const bytes = Buffer.byteLength(JSON.stringify(imageCard(item)));

    // Assess
    expect(bytes).toBeLessThan(300);
  });

  it('is copied onto every label entry, so a label query returns cards too', () => {
    // Prepare
    const card = { f: 1, l: ['Dog'], v: 'safe' as const, t: 'thumbnails/x.jpg' };
    const item = {
      imageId: 'b/uploads/dog.jpg',
      key: 'uploads/dog.jpg',
      uploadedAt: '2026-01-01T00:00:00.000Z',
      labels: [label('Dog', 97, ['Animal'])],
      card,
    };

    // Act
    const entries = labelEntries(item);

    // Assess
    expect(entries.map((e) => [e.imageId, e.card])).toEqual([
      ['#label/dog/b/uploads/dog.jpg', card],
      ['#label/animal/b/uploads/dog.jpg', card],
    ]);
  });
});
