/**
 * Group commit: callers enqueue items and wait; while one flush is being written, everything enqueued meanwhile
 * waits for the next one, so concurrent runs share one statement and one commit instead of one each
 * (docs/executor.md, Direct runs). Each caller resumes only after the flush that holds its item has committed.
 */
export function createCommitQueue<T>(flush: (items: T[]) => Promise<void>) {
  let queued: { item: T; done: () => void; failed: (error: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        await flush(batch.map((entry) => entry.item));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    flushing = undefined;
  }

  return {
    /** Resolves once the item is committed; rejects when the statement that carried it failed. */
    enqueue(item: T): Promise<void> {
      return new Promise<void>((done, failed) => {
        queued.push({ item, done, failed });
        flushing ??= drain();
      });
    },
  };
}
