/**
 * The local target of the "Object Deleted" rule: runs the clean-up Lambda's `run` (api/deleted) with
 * the stack's task deps. Deletes heard before the tasks are wired wait for them; close waits for the
 * clean-ups under way, so none is cut off by the stack's clients closing.
 */
import type { S3ObjectDeletedEvent } from '../../api/deleted/clean-up-deleted';
import type { TaskDeps } from '../../tasks/shared/aws-clients';

type CleanUpRun = (event: S3ObjectDeletedEvent, deps: TaskDeps) => Promise<unknown>;

export class DeletedCleanUp {
  private tasks: TaskDeps | undefined;
  private run: CleanUpRun | undefined;
  private held: S3ObjectDeletedEvent[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  /** The rule's target. */
  route(event: S3ObjectDeletedEvent): void {
    if (this.closed) return;
    if (this.tasks && this.run) this.start(event, this.tasks, this.run);
    else this.held.push(event);
  }

  /** From now on deletes are cleaned up; the held ones first, in the order they came. */
  open(tasks: TaskDeps): void {
    // Required only now, after the stack has set the handlers' log level: Powertools' logger reads it when first
    // loaded, and importing it with the stack made every task log INFO lines in picflow dev (test/e2e/api-dev.test.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.run = (require('../../api/deleted/handler') as { run: CleanUpRun }).run;
    this.tasks = tasks;
    const held = this.held;
    this.held = [];
    for (const event of held) this.start(event, tasks, this.run);
  }

  /** Waits for the clean-ups under way; later deletes are dropped (their items stay until a DELETE through the API removes them). */
  async close(): Promise<void> {
    this.closed = true;
    this.held = [];
    await Promise.all(this.running);
  }

  private start(event: S3ObjectDeletedEvent, tasks: TaskDeps, run: CleanUpRun): void {
    const cleanUp = run(event, tasks).then(
      () => undefined,
      // Lambda would log the failure and EventBridge retry it; here the failure is reported and the item stays (a DELETE removes it).
      (error) => {
        process.stderr.write(`picflow: clean-up after deleting ${event.detail.object.key} failed: ${(error as Error)?.message ?? error}\n`);
      },
    );
    this.running.add(cleanUp);
    void cleanUp.finally(() => this.running.delete(cleanUp));
  }
}
