// An execution store in its own process, for crash tests: saves the records given as JSON lines on
// argv, waits until the first ones are indexed, then saves the last one and dies at once (SIGKILL),
// after its file is written and before its index entry is: the moment a crash would hit.
import { ExecutionStore, type ExecutionRecord } from '../../../local/engine/execution-store';

async function main(): Promise<void> {
  const [dataDir, ...lines] = process.argv.slice(2);
  const records = lines.map((line) => JSON.parse(line) as ExecutionRecord);
  const store = new ExecutionStore(dataDir);
  await store.open();
  for (const record of records.slice(0, -1)) store.save(record);
  await store.list();
  store.save(records[records.length - 1]);
  process.kill(process.pid, 'SIGKILL');
}

void main();
