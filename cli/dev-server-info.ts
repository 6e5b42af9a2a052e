/**
 * The file a running `picflow dev` leaves in its data directory (`dev.json`): its process id and
 * endpoints. Other commands read it to use the running server instead of starting a second stack on
 * the same data (which LevelDB's lock would refuse anyway).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevServerInfo {
  pid: number;
  startedAt: string;
  bucket: string;
  uploadPrefix: string;
  tableName: string;
  queueUrl: string;
  region: string;
  endpoints: { s3: string; dynamodb: string; sqs: string; rekognition: string; console?: string; api?: string };
  /** The pipeline settings (cli/dev-settings.ts) the server started with; absent from older servers. */
  settings?: Record<string, string>;
}

const FILE = 'dev.json';

export function writeDevServerInfo(dataDir: string, info: DevServerInfo): void {
  writeFileSync(join(dataDir, FILE), JSON.stringify(info, null, 2));
}

export function removeDevServerInfo(dataDir: string): void {
  rmSync(join(dataDir, FILE), { force: true });
}

/** The running dev server on this data directory, if there is one (a stale file is ignored). */
export function runningDevServer(dataDir: string): DevServerInfo | undefined {
  let info: DevServerInfo;
  try {
    info = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as DevServerInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
