/** The key the server chooses for an upload: `<uploadPrefix><uuid>.<ext>`, never a name the caller picks. */
import { randomUUID } from 'node:crypto';
import { IMAGE_CONTENT_TYPES } from '../shared/image-types';

export interface NewUpload {
  key: string;
  /** The table's id for the image once it is analysed: `bucket/key`. */
  imageId: string;
}

export function newUpload(bucket: string, uploadPrefix: string, contentType: string, id: string = randomUUID()): NewUpload {
  const key = `${uploadPrefix}${id}.${IMAGE_CONTENT_TYPES[contentType]}`;
  return { key, imageId: `${bucket}/${key}` };
}
