/** The Rekognition operations the local endpoint serves (X-Amz-Target: RekognitionService.<name>). */
export const OPERATIONS = ['DetectFaces', 'DetectLabels', 'DetectText', 'DetectModerationLabels'] as const;

export type OperationName = (typeof OPERATIONS)[number];

export function isOperationName(name: string): name is OperationName {
  return (OPERATIONS as readonly string[]).includes(name);
}
