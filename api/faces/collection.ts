/** The faces routes' access to the face collection: its id (or 501 when face indexing is off) and Rekognition errors as API errors. */
import { ApiError, badRequest, notFound } from '../shared/http';

/** The collection the pipeline indexes into; without one there is nothing to search or group. */
export function collectionOf(config: { faceCollectionId?: string }): string {
  if (!config.faceCollectionId) {
    throw new ApiError(
      501,
      'FaceCollectionOff',
      'This stack has no face collection (face indexing is off): turn the faceIndexing setting on and re-upload the photos ' +
        'to search faces.',
    );
  }
  return config.faceCollectionId;
}

/**
 * Runs a Rekognition call, turning the caller's mistakes into 4xx sentences: an unknown user or face
 * is 404, an image without a face (or one Rekognition cannot read) 400. Anything else is the server's (500).
 */
export async function rekognitionCall<T>(call: () => Promise<T>, what: { userId?: string } = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const { name, message } = (error ?? {}) as { name?: string; message?: string };
    if (name === 'ResourceNotFoundException' && what.userId) throw notFound(`There is no person "${what.userId}"; GET /people lists them.`);
    if (name === 'InvalidParameterException' && /no faces/i.test(message ?? '')) {
      throw badRequest('NoFace', 'No face was found in the photo; send a photo where a face is clearly visible.');
    }
    if (name === 'InvalidImageFormatException' || name === 'ImageTooLargeException') {
      throw badRequest('UnreadableImage', `The photo cannot be searched (${name}): send a JPEG or PNG of at most 5 MB.`);
    }
    if (name === 'InvalidParameterException') throw badRequest('InvalidParameter', message ?? 'Rekognition refused the request.');
    throw error;
  }
}
