/** The fixed names of a local stack (its bucket, table, queue, region) and the credentials its clients use. */
export const LOCAL_BUCKET = 'picflow-local';
export const LOCAL_TABLE = 'picflow-images';
export const LOCAL_QUEUE = 'picflow-dlq';
/** The face collection the faces task indexes into (created at start, like the table). */
export const LOCAL_FACE_COLLECTION = 'picflow-faces';
export const LOCAL_REGION = 'us-east-1';
/** Any credentials work locally; these make the SDK's credential chain stop looking further. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'picflow-local', secretAccessKey: 'picflow-local' };
