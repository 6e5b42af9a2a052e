/** The Rekognition operations the local endpoint serves (X-Amz-Target: RekognitionService.<name>). */
export const OPERATIONS = ['DetectFaces', 'DetectLabels', 'DetectText', 'DetectModerationLabels'] as const;

export type OperationName = (typeof OPERATIONS)[number];

/** The face-collection operations: answered in the main thread from the collection store (images via DetectFaces). */
export const COLLECTION_OPERATIONS = [
  'CreateCollection',
  'DeleteCollection',
  'DescribeCollection',
  'ListCollections',
  'IndexFaces',
  'ListFaces',
  'DeleteFaces',
  'SearchFaces',
  'SearchFacesByImage',
  'CreateUser',
  'DeleteUser',
  'ListUsers',
  'AssociateFaces',
  'DisassociateFaces',
  'SearchUsers',
  'SearchUsersByImage',
] as const;

export type CollectionOperationName = (typeof COLLECTION_OPERATIONS)[number];

export function isCollectionOperationName(name: string): name is CollectionOperationName {
  return (COLLECTION_OPERATIONS as readonly string[]).includes(name);
}

export function isOperationName(name: string): name is OperationName {
  return (OPERATIONS as readonly string[]).includes(name);
}

/** Every operation the endpoint serves: fault injection and the TPS quota apply to each, as an account's quotas do. */
export const SERVED_OPERATIONS = [...OPERATIONS, ...COLLECTION_OPERATIONS] as const;

export type ServedOperationName = (typeof SERVED_OPERATIONS)[number];
