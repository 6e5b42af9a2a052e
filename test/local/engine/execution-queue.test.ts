// The local runner's queue, as the console shows it: an execution routed while every slot is busy is
// QUEUED with its place in line until it starts, and its duration counts from its ExecutionStarted,
// not from when it was routed. Real engine (THE definition) with stub tasks; one slot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStream } from '../../../local/console/event-stream';
import type { ExecutionSummary } from '../../../local/console/shared/api-types';
import { ExecutionRunner } from '../../../local/engine/execution-runner';
import { ExecutionStore } from '../../../local/engine/execution-store';
import { LocalStateMachine } from '../../../local/engine/local-state-machine';
import { runDurationMs } from '../../../local/engine/run-duration';
import { pipelineStubs } from '../../statemachines/support/pipeline-stubs';
import { objectCreatedEvent } from '../../support/events';

describe('The local runner queue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picflow-queue-'));
  const store = new ExecutionStore(dir);

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows waiting executions as QUEUED with their place in line, then RUNNING, timed from their start', async () => {
    // Prepare: one slot, and a first execution held in its ValidateImage until the test lets it go
    const stubs = pipelineStubs();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const machine = new LocalStateMachine({
      handlers: {
        ...stubs.handlers,
        ValidateImage: async (input) => {
          if ((input as { image: { key: string } }).image.key === 'uploads/first.png') await gate;
          return stubs.handlers.ValidateImage(input);
        },
      },
      integrations: stubs.integrations,
      substitutions: { DeadLetterQueueUrl: 'http://127.0.0.1:1/queue/dlq' },
    });
    const runner = new ExecutionRunner({ machine, store, concurrency: 1 });
    const events = new EventStream(runner);
    const seen: [string, string, number?][] = [];
    runner.on('queued', (record, position) => seen.push(['queued', record.name, position]));
    runner.on('started', (record) => seen.push(['started', record.name]));

    // Act
    const names = ['first', 'second', 'third'].map((n) => `${n}-exec`);
    const done = names.map((name, i) => runner.start(objectCreatedEvent({ key: `uploads/${['first', 'second', 'third'][i]}.png` }), name));
    await new Promise((resolve) => setImmediate(resolve));
    const whileWaiting = names.map((name) => events.summary(store.get(name)!));
    const releasedAt = new Date().toISOString();
    release();
    const [, second] = await Promise.all(done);
    events.close();

    // Assess
    expect(whileWaiting.map((s: ExecutionSummary) => [s.status, s.queuePosition])).toEqual([
      ['RUNNING', undefined],
      ['QUEUED', 1],
      ['QUEUED', 2],
    ]);
    expect(seen.filter(([kind]) => kind === 'queued')).toEqual([
      ['queued', 'second-exec', 1],
      ['queued', 'third-exec', 2],
    ]);
    // QUEUED before RUNNING, and in line order
    expect(seen.map(([kind, name]) => `${kind} ${name}`).filter((e) => e.startsWith('started'))).toEqual(
      names.map((name) => `started ${name}`),
    );
    expect(seen.findIndex(([kind, name]) => kind === 'queued' && name === 'second-exec')).toBeLessThan(
      seen.findIndex(([kind, name]) => kind === 'started' && name === 'second-exec'),
    );
    expect(second.status).toBe('SUCCEEDED');
    // Routed before the release, started after it: the duration is the run's alone.
    expect(second.startedAt < releasedAt).toBe(true);
    expect(second.runStartedAt! >= releasedAt).toBe(true);
    expect(second.runStartedAt).toBe(new Date(second.events.find((e) => e.type === 'ExecutionStarted')!.timestamp).toISOString());
    expect(runDurationMs(second)).toBe(Date.parse(second.stoppedAt!) - Date.parse(second.runStartedAt!));
    expect(events.summary(second)).toMatchObject({ status: 'SUCCEEDED', runStartedAt: second.runStartedAt });
  });
});
