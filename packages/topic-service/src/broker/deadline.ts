/**
 * A request deadline built from a timer this module owns and clears.
 *
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 the composite holds its
 * sources weakly, so a timeout signal nobody else references can be garbage-collected before it
 * fires, and a request over a link that drops packets then hangs forever (issue 15.1). Here the
 * timer holds the controller strongly until it fires or `dispose()` clears it.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onParentAbort: () => void;
  private expired = false;

  constructor(
    readonly timeoutMs: number,
    private readonly parent?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error(`deadline of ${timeoutMs} ms passed`));
    }, timeoutMs);
    this.onParentAbort = () => this.controller.abort(parent?.reason);
    if (parent?.aborted) this.onParentAbort();
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /** Aborts when the deadline passes or the parent aborts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The deadline passed (as opposed to the parent aborting). */
  get timedOut(): boolean {
    return this.expired;
  }

  /** Clear the timer and forget the parent; call once the guarded work settled. */
  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}

/** Run `work` under a fresh deadline, disposed whatever the outcome. */
export async function withDeadline<T>(timeoutMs: number, parent: AbortSignal | undefined, work: (deadline: Deadline) => Promise<T>): Promise<T> {
  const deadline = new Deadline(timeoutMs, parent);
  try {
    return await work(deadline);
  } finally {
    deadline.dispose();
  }
}

/** Resolves when `signal` aborts (never rejects). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
