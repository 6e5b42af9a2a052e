/** The image content types the API accepts: the formats ValidateImage reads (tasks/validate-image/image-format.ts). */
export const IMAGE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/tiff': 'tiff',
  'image/avif': 'avif',
  'image/heif': 'heif',
  'image/heic': 'heic',
};

export function isImageContentType(type: string | undefined): type is string {
  return type !== undefined && Object.hasOwn(IMAGE_CONTENT_TYPES, type);
}

export const CONTENT_TYPE_LIST = Object.keys(IMAGE_CONTENT_TYPES).join(', ');
