// A local S3 store in its own process, for crash tests: prints its endpoint, then serves until killed.
import { startS3Server } from '../../../local/s3/s3-server';

void startS3Server({ directory: process.argv[2], buckets: ['picflow-local'] }).then((server) => {
  process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`);
});
