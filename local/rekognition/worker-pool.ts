/**
 * A pool of analyzer worker threads with a bounded wait queue. One task runs per worker at a time;
 * when every worker is busy and `maxQueue` tasks already wait, `run` rejects with ThrottlingException
 * (which Rekognition clients retry). A worker that dies fails its task with InternalServerError and is
 * replaced. `close()` shuts every worker down (terminating any that does not exit in time).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RekognitionError } from './errors';
import type { DecodedImage } from './image-source';
import type { OperationName } from './operation-names';
import type { AnalysisTask, FromWorker, ToWorker, WorkerInit } from './worker-protocol';

export interface WorkerPoolOptions {
  workers: number;
  maxQueue: number;
  /** Models to load in every worker at start (default: none, each loads on first use). */
  preload?: OperationName[];
  workerInit?: WorkerInit;
  /** How long a worker may take to exit on close before it is terminated. */
  shutdownTimeoutMs?: number;
}

interface Job {
  image: DecodedImage;
  /** The task message for the worker, given its id. */
  message: (id: number) => ToWorker;
  /** Whether the image's buffer may be moved to the worker (not when other analyses still read it). */
  transfer: boolean;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  busy?: { id: number; job: Job };
  exited: Promise<void>;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  completed: number;
  throttled: number;
  crashed: number;
}

const BOOTSTRAP = path.join(__dirname, 'worker-bootstrap.js');

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing = false;
  private counts = { completed: 0, throttled: 0, crashed: 0 };

  private constructor(private readonly options: WorkerPoolOptions) {}

  /** Starts the workers and resolves once each has booted (and preloaded its models, if asked). */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new Error('workers must be an integer >= 1');
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) throw new Error('maxQueue must be an integer >= 0');
    const pool = new WorkerPool(options);
    try {
      await Promise.all(Array.from({ length: options.workers }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Whether a new task would be accepted right now (an idle worker or room in the queue). */
  hasCapacity(): boolean {
    return !this.closing && (this.slots.some((s) => !s.busy) || this.queue.length < this.options.maxQueue);
  }

  run(op: OperationName, image: DecodedImage, params: unknown): Promise<unknown> {
    return this.enqueue(image, true, (id) => ({ type: 'task', id, op, image, params }));
  }

  /** One shared model analysis (worker-protocol.ts); the image is copied, not moved: it stays shared. */
  analyze(task: Omit<AnalysisTask, 'type' | 'id'>): Promise<unknown> {
    return this.enqueue(task.image, false, (id) => ({ type: 'analysis', id, ...task }));
  }

  private enqueue(image: DecodedImage, transfer: boolean, message: (id: number) => ToWorker): Promise<unknown> {
    if (this.closing) return Promise.reject(new RekognitionError('InternalServerError', 'The analyzer is shutting down.'));
    return new Promise((resolve, reject) => {
      const job: Job = { image, message, transfer, resolve, reject };
      const idle = this.slots.find((s) => !s.busy);
      if (idle) {
        this.dispatch(idle, job);
      } else if (this.queue.length < this.options.maxQueue) {
        this.queue.push(job);
      } else {
        this.counts.throttled += 1;
        reject(new RekognitionError('ThrottlingException', 'Rate exceeded: the local analyzer queue is full.'));
      }
    });
  }

  stats(): PoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.busy).length,
      queued: this.queue.length,
      ...this.counts,
    };
  }

  async close(): Promise<void> {
    if (this.closing) {
      await Promise.all(this.slots.map((s) => s.exited));
      return;
    }
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(new RekognitionError('InternalServerError', 'The analyzer is shutting down.'));
    const timeout = this.options.shutdownTimeoutMs ?? 5000;
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.worker.postMessage({ type: 'shutdown' } satisfies ToWorker);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), timeout);
        });
        const result = await Promise.race([slot.exited.then(() => 'exited' as const), timedOut]);
        clearTimeout(timer);
        if (result === 'timeout') await slot.worker.terminate();
        await slot.exited;
      }),
    );
  }

  private spawn(): Promise<void> {
    const worker = new Worker(BOOTSTRAP, { workerData: this.options.workerInit ?? {} });
    let markExited!: () => void;
    const slot: Slot = { worker, exited: new Promise<void>((r) => (markExited = r)) };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      let booted = false;
      const preload = this.options.preload ?? [];
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          if (preload.length > 0) worker.postMessage({ type: 'preload', ops: preload } satisfies ToWorker);
          else {
            booted = true;
            resolve();
          }
        } else if (msg.type === 'preloaded') {
          booted = true;
          if (msg.error) reject(new Error(`worker failed to load models: ${msg.error}`));
          else resolve();
        } else if (msg.type === 'result') {
          this.settle(slot, msg);
        }
      });
      worker.on('error', (err) => {
        if (!booted) reject(err);
        this.failBusy(slot, err);
      });
      worker.on('exit', (code) => {
        markExited();
        const index = this.slots.indexOf(slot);
        if (index >= 0) this.slots.splice(index, 1);
        this.failBusy(slot, new Error(`analyzer worker exited with code ${code}`));
        if (!booted) reject(new Error(`analyzer worker exited with code ${code} while starting`));
        if (!this.closing) {
          this.counts.crashed += 1;
          // Replace it; queued jobs go to the new worker once it is up.
          this.spawn().then(
            () => this.drain(),
            () => undefined,
          );
        }
      });
    });
  }

  private dispatch(slot: Slot, job: Job): void {
    const id = this.nextId++;
    slot.busy = { id, job };
    const transfer =
      job.transfer && job.image.data.byteOffset === 0 && job.image.data.byteLength === job.image.data.buffer.byteLength
        ? [job.image.data.buffer as ArrayBuffer]
        : [];
    const message = job.message(id);
    try {
      try {
        slot.worker.postMessage(message, transfer);
      } catch (err) {
        // Node 22 refuses to transfer an ArrayBuffer that native code allocated (sharp's output buffers
        // are external: "Cannot transfer object of unsupported type"); Node 20 moved it. Copy it then.
        if (transfer.length === 0) throw err;
        slot.worker.postMessage(message);
      }
    } catch (err) {
      slot.busy = undefined;
      job.reject(new RekognitionError('InternalServerError', `could not hand the image to a worker: ${(err as Error).message}`));
      this.drain();
    }
  }

  private settle(slot: Slot, msg: Extract<FromWorker, { type: 'result' }>): void {
    const busy = slot.busy;
    if (!busy || busy.id !== msg.id) return;
    slot.busy = undefined;
    this.counts.completed += 1;
    if (msg.ok) busy.job.resolve(msg.value);
    else {
      const err = new Error(msg.error.message);
      err.name = msg.error.name;
      busy.job.reject(err);
    }
    this.drain();
  }

  private failBusy(slot: Slot, err: Error): void {
    const busy = slot.busy;
    if (!busy) return;
    slot.busy = undefined;
    busy.job.reject(new RekognitionError('InternalServerError', `analyzer worker failed: ${err.message}`));
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.find((s) => !s.busy);
      if (!idle) return;
      this.dispatch(idle, this.queue.shift()!);
    }
  }
}
