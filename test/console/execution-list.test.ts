// The executions list as the console keeps it from the event stream: updates merged in place (no full
// re-sort), new executions at their place newest first, queue places moving up as executions start,
// and stream messages handed over once per animation frame.
import type { ExecutionSummary } from '../../local/console/shared/api-types';
import { frameBatcher, mergeExecutions } from '../../local/console/shared/execution-list';

const execution = (name: string, second: number, status: ExecutionSummary['status'], queuePosition?: number): ExecutionSummary => ({
  name,
  executionArn: `arn:aws:states:local:000000000000:execution:picflow:${name}`,
  status,
  startedAt: `2026-11-26T10:00:${String(second).padStart(2, '0')}.000Z`,
  retries: 0,
  ...(queuePosition !== undefined ? { queuePosition } : {}),
});

describe('Module: execution-list', () => {
  it('replaces rows in place and inserts new executions at their place, newest first', () => {
    // Prepare
    const list = [execution('c', 30, 'RUNNING'), execution('a', 10, 'SUCCEEDED')];

    // Act
    const merged = mergeExecutions(list, [execution('b', 20, 'RUNNING'), execution('c', 30, 'SUCCEEDED'), execution('d', 40, 'QUEUED', 1)]);

    // Assess
    expect(merged.map((e) => `${e.name} ${e.status}`)).toEqual(['d QUEUED', 'c SUCCEEDED', 'b RUNNING', 'a SUCCEEDED']);
    expect(list.map((e) => e.status)).toEqual(['RUNNING', 'SUCCEEDED']);
  });

  it('moves the executions behind one that leaves the queue up one place', () => {
    // Prepare
    const list = [execution('q3', 3, 'QUEUED', 3), execution('q2', 2, 'QUEUED', 2), execution('q1', 1, 'QUEUED', 1)];

    // Act
    const merged = mergeExecutions(list, [execution('q1', 1, 'RUNNING'), execution('q2', 2, 'RUNNING')]);

    // Assess
    expect(merged.map((e) => [e.name, e.status, e.queuePosition])).toEqual([
      ['q3', 'QUEUED', 1],
      ['q2', 'RUNNING', undefined],
      ['q1', 'RUNNING', undefined],
    ]);
  });

  it('keeps only rows shown with the filtered status', () => {
    // Prepare
    const list = [execution('b', 20, 'QUEUED', 1), execution('a', 10, 'QUEUED', 2)];

    // Act
    const merged = mergeExecutions(list, [execution('b', 20, 'RUNNING'), execution('c', 30, 'QUEUED', 2)], 'QUEUED');

    // Assess
    expect(merged.map((e) => [e.name, e.queuePosition])).toEqual([
      ['c', 2],
      ['a', 1],
    ]);
  });

  it('hands a burst of messages over once per frame, in arrival order', () => {
    // Prepare
    const frames: (() => void)[] = [];
    const flushed: number[][] = [];
    const push = frameBatcher<number>(
      (items) => flushed.push(items),
      (callback) => frames.push(callback),
    );

    // Act
    for (let i = 0; i < 100; i++) push(i);
    frames.shift()!();
    push(100);
    frames.shift()!();

    // Assess
    expect(flushed).toEqual([Array.from({ length: 100 }, (_, i) => i), [100]]);
    expect(frames).toHaveLength(0);
  });
});
