// The execution store's index (issue 15, D9): lists come from an incremental LevelDB index, newest
// first with paging and status filters, kept in step with the record files on every save, across a
// restart, a crash between a file and its entry, and for a data dir written before the index existed.
import { spawn } from 'node:child_process';
import fs, { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionStore, InvalidCursorError, type ExecutionRecord, type ExecutionStatus } from '../../../local/engine/execution-store';

const CHILD = join(__dirname, 'execution-store-child.ts');

function record(n: number, status: ExecutionStatus = 'SUCCEEDED', extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  const startedAt = new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString();
  return {
    name: `img-${String(n).padStart(3, '0')}`,
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:picflow:img-${n}`,
    status,
    imageId: `picflow-local/uploads/img-${n}.jpg`,
    input: { detail: { object: { key: `uploads/img-${n}.jpg` } } },
    startedAt,
    stoppedAt: status === 'RUNNING' ? undefined : new Date(Date.parse(startedAt) + 500).toISOString(),
    retries: 0,
    events: [{ type: 'ExecutionStarted', timestamp: Date.parse(startedAt) }] as ExecutionRecord['events'],
    ...extra,
  };
}

const names = (list: { name: string }[]) => list.map((r) => r.name);

/** Kills a child store right after its last save wrote the file (see execution-store-child.ts). */
function crashAfterSaving(dataDir: string, records: ExecutionRecord[]): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, ...records.map((r) => JSON.stringify(r))], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => child.once('exit', (_, signal) => resolve(signal)));
}

describe('ExecutionStore: the executions index', () => {
  let dataDir: string;
  let store: ExecutionStore;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'picflow-executions-'));
    store = new ExecutionStore(dataDir);
  });

  afterEach(async () => {
    await store.close();
    jest.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists newest first, page by page with an opaque cursor, no gaps and no repeats', async () => {
    // Prepare: 25 executions saved in shuffled order
    const order = Array.from({ length: 25 }, (_, i) => (i * 7) % 25);
    for (const n of order) store.save(record(n, n % 3 === 0 ? 'FAILED' : 'SUCCEEDED'));

    // Act: pages of 10
    const first = await store.page({ limit: 10 });
    const second = await store.page({ limit: 10, cursor: first.nextCursor });
    const third = await store.page({ limit: 10, cursor: second.nextCursor });

    // Assess
    const expected = Array.from({ length: 25 }, (_, i) => record(24 - i).name);
    expect([...names(first.executions), ...names(second.executions), ...names(third.executions)]).toEqual(expected);
    expect(third.nextCursor).toBeUndefined();
    expect(first.executions[0]).toEqual({
      name: 'img-024',
      executionArn: expect.stringContaining('img-24'),
      status: 'FAILED',
      imageId: 'picflow-local/uploads/img-24.jpg',
      startedAt: record(24).startedAt,
      stoppedAt: record(24).stoppedAt,
      retries: 0,
    });
    await expect(store.page({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toThrow(InvalidCursorError);
  });

  it('filters by status (one or several) and by image, pages within a filter, and honours since', async () => {
    // Prepare
    for (let n = 0; n < 12; n++) store.save(record(n, n % 3 === 0 ? 'FAILED' : n % 3 === 1 ? 'SUCCEEDED' : 'TIMED_OUT'));

    // Act
    const failed = await store.page({ statuses: ['FAILED'], limit: 3 });
    const failedRest = await store.page({ statuses: ['FAILED'], limit: 3, cursor: failed.nextCursor });
    const mixed = await store.page({ statuses: ['FAILED', 'TIMED_OUT'], limit: 5 });
    const mixedRest = await store.page({ statuses: ['FAILED', 'TIMED_OUT'], limit: 5, cursor: mixed.nextCursor });
    const image = await store.list({ imageId: 'picflow-local/uploads/img-4.jpg' });
    const recent = await store.list({ since: record(9).startedAt });

    // Assess
    expect(names([...failed.executions, ...failedRest.executions])).toEqual(['img-009', 'img-006', 'img-003', 'img-000']);
    expect(failedRest.nextCursor).toBeUndefined();
    expect(names([...mixed.executions, ...mixedRest.executions])).toEqual([
      'img-011',
      'img-009',
      'img-008',
      'img-006',
      'img-005',
      'img-003',
      'img-002',
      'img-000',
    ]);
    expect(names(image)).toEqual(['img-004']);
    expect(names(recent)).toEqual(['img-011', 'img-010', 'img-009']);
  });

  it('moves an execution from the RUNNING list to the SUCCEEDED list when its record is saved again', async () => {
    // Prepare
    const running = record(1, 'RUNNING');
    store.save(running);
    expect(names(await store.list({ statuses: ['RUNNING'] }))).toEqual(['img-001']);

    // Act
    store.save({ ...running, status: 'SUCCEEDED', stoppedAt: new Date().toISOString(), retries: 2 });

    // Assess
    expect(await store.list({ statuses: ['RUNNING'] })).toEqual([]);
    expect(await store.list({ statuses: ['SUCCEEDED'] })).toEqual([expect.objectContaining({ name: 'img-001', retries: 2 })]);
    expect(await store.list()).toHaveLength(1);
    expect(store.get('img-001')?.events).toHaveLength(1);
  });

  it('keeps only a short cause in the index, the whole one in the record', async () => {
    store.save(record(1, 'FAILED', { error: 'States.Runtime', cause: 'x'.repeat(5000) }));
    const [summary] = await store.list();
    expect(summary.cause!.length).toBeLessThanOrEqual(300);
    expect(store.get('img-001')?.cause).toHaveLength(5000);
  });

  it('survives a restart and reads no record file to list after a clean close', async () => {
    // Prepare
    for (let n = 0; n < 5; n++) store.save(record(n, n === 2 ? 'RUNNING' : 'SUCCEEDED'));
    const before = await store.list();
    await store.close();
    const reads = jest.spyOn(fs, 'readFileSync');

    // Act
    store = new ExecutionStore(dataDir);
    const after = await store.list();
    const running = await store.list({ statuses: ['RUNNING'] });

    // Assess
    expect(after).toEqual(before);
    expect(names(running)).toEqual(['img-002']);
    expect(reads.mock.calls.filter(([file]) => String(file).includes(join(dataDir, 'executions')))).toEqual([]);
  });

  it('indexes a data dir written before the index existed (record files only), yielding to the event loop', async () => {
    // Prepare: 300 record files as the previous release wrote them, no index
    await store.close();
    mkdirSync(join(dataDir, 'executions'), { recursive: true });
    for (let n = 0; n < 300; n++)
      writeFileSync(
        join(dataDir, 'executions', `${record(n).name}.json`),
        JSON.stringify(record(n, n < 2 ? 'RUNNING' : 'SUCCEEDED', { events: bigHistory() })),
      );
    store = new ExecutionStore(dataDir);
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);

    // Act
    await store.open();
    clearInterval(ticker);

    // Assess: all there, and timers ran while the files were read
    expect(turns).toBeGreaterThan(0);
    const first = await store.page({ limit: 3 });
    expect(names(first.executions)).toEqual(['img-299', 'img-298', 'img-297']);
    expect(names(await store.list({ statuses: ['RUNNING'] }))).toEqual(['img-001', 'img-000']);
    expect(await store.list()).toHaveLength(300);
  });

  it('recovers from a crash between a record file and its index entry (an update and a new execution)', async () => {
    // Prepare: a RUNNING execution indexed; then, in a process killed right after the file write, it
    // is saved SUCCEEDED; the same for a brand-new execution
    await store.close();
    const running = record(1, 'RUNNING');
    expect(await crashAfterSaving(dataDir, [running, { ...running, status: 'SUCCEEDED', stoppedAt: new Date().toISOString() }])).toBe(
      'SIGKILL',
    );
    expect(await crashAfterSaving(dataDir, [record(0), record(2, 'FAILED')])).toBe('SIGKILL');

    // Act
    store = new ExecutionStore(dataDir);
    await store.open();

    // Assess
    expect(await store.list({ statuses: ['RUNNING'] })).toEqual([]);
    expect(names(await store.list({ statuses: ['SUCCEEDED'] }))).toEqual(['img-001', 'img-000']);
    expect(names(await store.list({ statuses: ['FAILED'] }))).toEqual(['img-002']);
  });

  it('forgets executions whose file was removed while it was closed, and rebuilds an unreadable index', async () => {
    // Prepare
    for (let n = 0; n < 3; n++) store.save(record(n));
    await store.close();
    rmSync(join(dataDir, 'executions', 'img-001.json'));
    for (const file of readdirSync(join(dataDir, 'executions-index')))
      if (/^MANIFEST|^CURRENT$/.test(file)) writeFileSync(join(dataDir, 'executions-index', file), 'garbage');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    // Act
    store = new ExecutionStore(dataDir);
    const list = await store.list();

    // Assess
    expect(names(list)).toEqual(['img-002', 'img-000']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('rebuilding'));
  });
});

/** A history the size of a real execution's (about 40 KB). */
function bigHistory(): ExecutionRecord['events'] {
  return Array.from({ length: 60 }, (_, i) => ({
    type: 'StateEntered',
    timestamp: i,
    state: { name: `State${i}`, type: 'Task', input: { padding: 'p'.repeat(600) } },
  })) as unknown as ExecutionRecord['events'];
}
