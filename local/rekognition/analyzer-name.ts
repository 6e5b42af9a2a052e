/**
 * What produced a local analysis, for the pipeline to store next to results (Rekognition responses carry no
 * such field, so the endpoint does not add one). Kept in step with package.json by a test.
 */
export const ANALYZER_VERSIONS = {
  human: '3.3.6',
  nsfwjs: '4.3.0',
  'tesseract.js': '7.0.0',
} as const;

export const ANALYZER_NAME =
  `picflow-local (human ${ANALYZER_VERSIONS.human}, nsfwjs ${ANALYZER_VERSIONS.nsfwjs}, tesseract.js ` +
  `${ANALYZER_VERSIONS['tesseract.js']})`;
