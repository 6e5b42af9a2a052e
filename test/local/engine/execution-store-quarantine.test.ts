// A corrupt execution record (empty, truncated, not a record) is moved to executions/quarantine/ with a
// warning naming it, and the store lists the good records as if it were not there.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionStore, type ExecutionRecord } from '../../../local/engine/execution-store';

describe('Execution store: corrupt records', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'picflow-store-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const record = (name: string): ExecutionRecord => ({
    name,
    executionArn: `arn:local:${name}`,
    status: 'RUNNING',
    input: {},
    startedAt: new Date().toISOString(),
    retries: 0,
    events: [],
  });

  it('quarantines empty, truncated and non-record files, naming each, and lists the rest', async () => {
    // Prepare: a data dir with one good record (cleanly closed), then damaged files beside it
    const first = new ExecutionStore(dataDir);
    first.save(record('good'));
    await first.close();
    const dir = join(dataDir, 'executions');
    const damaged = { 'empty.json': '', 'truncated.json': JSON.stringify(record('truncated')).slice(0, 30), 'array.json': '[1,2]' };
    for (const [name, content] of Object.entries(damaged)) writeFileSync(join(dir, name), content);
    const warnings: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (warnings.push(String(chunk)), true));

    // Act: the next start-up reconciles the index with the files and reads the new ones
    const store = new ExecutionStore(dataDir);
    let listed: { name: string }[];
    try {
      listed = await store.list();
    } finally {
      write.mockRestore();
    }

    // Assess
    expect(listed.map((r) => r.name)).toEqual(['good']);
    for (const name of Object.keys(damaged)) {
      expect(existsSync(join(dir, name))).toBe(false);
      expect(existsSync(join(dir, 'quarantine', name))).toBe(true);
      expect(warnings.join('')).toContain(join(dir, name));
    }
    expect((await store.list()).map((r) => r.name)).toEqual(['good']);
    await store.close();
  });
});
