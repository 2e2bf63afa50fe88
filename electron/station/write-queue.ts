/**
 * The one writer. Every write to the station's databases goes through this queue, one task at a
 * time, so checks made inside a task (does this entry exist yet? is this bill still unpaid?)
 * cannot race another write. Reads do not queue. `close()` refuses new work and waits for the
 * queue to drain, so a shutdown never cuts a payment in half.
 */
export class WriteQueueClosedError extends Error {
  override readonly name = 'WriteQueueClosedError';
}

export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private closed = false;

  get size(): number {
    return this.pending;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WriteQueueClosedError('the station is shutting down'));
    this.pending += 1;
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => {
        this.pending -= 1;
      },
      () => {
        this.pending -= 1;
      },
    );
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }
}
