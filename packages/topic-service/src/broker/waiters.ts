/**
 * Callers waiting for a condition on the broker's state (counts sent, queue drained). The
 * broker calls `settle()` whenever that state may have changed; a wait also ends at its timeout.
 */
export class ConditionWaiters {
  private waiters: Array<{ ready: () => boolean; resolve: () => void }> = [];

  until(ready: () => boolean, timeoutMs: number): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        ready,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Release the waiters whose condition holds now (all of them with `all`). */
  settle(all = false): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (all || w.ready()) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
  }
}
