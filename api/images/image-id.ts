/** Reads the `{imageId+}` path parameter: `bucket/key` of an upload of this API's bucket, or 404. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isLabelEntryId } from '../../tasks/shared/image-indexes';
import { notFound } from '../shared/http';

export interface ImageLocation {
  imageId: string;
  bucket: string;
  key: string;
}

export function imageIdFrom(event: APIGatewayProxyEventV2, config: { bucket: string; uploadPrefix: string }): ImageLocation {
  const raw = event.pathParameters?.imageId ?? '';
  let imageId: string;
  try {
    // A client may encode the id's slashes as %2F or send them as they are (the route is greedy).
    imageId = decodeURIComponent(raw);
  } catch {
    imageId = raw;
  }
  const prefix = `${config.bucket}/${config.uploadPrefix}`;
  // Only uploads are images: thumbnails, analysis files and index entries are never addressed as one.
  if (!imageId.startsWith(prefix) || imageId.length === prefix.length || isLabelEntryId(imageId)) {
    throw notFound(`There is no image "${imageId}"; image ids look like ${prefix}<name>, as POST /uploads and POST /images return them.`);
  }
  return { imageId, bucket: config.bucket, key: imageId.slice(config.bucket.length + 1) };
}
