/** The parts a local stack's start has opened, closed again in a safe order, and the error naming the part whose start failed. */

/** A start that failed: says which part failed; everything opened before it is closed again. */
export class LocalStackStartError extends Error {
  override readonly name = 'LocalStackStartError';
}

export interface Closeable {
  close(): Promise<void>;
}

/**
 * Everything a start opened, closed in reverse order of opening: first the ordinary parts, then the
 * late ones (the data-dir lock, the execution store), which must outlive every server that could
 * still start an execution. A part that fails to close does not stop the others.
 */
export class OpenedParts {
  private readonly parts: Closeable[] = [];
  private readonly late: Closeable[] = [];

  add<T extends Closeable>(part: T): T {
    this.parts.push(part);
    return part;
  }

  /** Closed after every part given to `add`, whenever it was opened. */
  addLate<T extends Closeable>(part: T): T {
    this.late.push(part);
    return part;
  }

  async closeAll(): Promise<void> {
    for (const part of [...[...this.parts].reverse(), ...[...this.late].reverse()]) await part.close().catch(() => undefined);
  }
}

/** Runs one part of the start; its failure names the part. */
export async function step<T>(part: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LocalStackStartError) throw error;
    const message = (error as Error)?.message || String(error);
    throw new LocalStackStartError(`the local stack did not start: ${part} failed: ${message}`, { cause: error });
  }
}
