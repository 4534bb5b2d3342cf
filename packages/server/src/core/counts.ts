import type { TopicCount } from '../broker/types.js';

/**
 * `off`: nobody listens, nothing is tracked; `seeding`: the first listener came after start, the
 * cluster's current counts are being read as the baseline; `scheduled`: a debounce timer runs;
 * `flushing`: cluster counts are being read.
 */
type NotifierState = 'off' | 'seeding' | 'idle' | 'scheduled' | 'flushing' | 'stopped';

export type CountListener = (change: TopicCount) => void;

export interface CountSources {
  /** Cluster-wide count of one topic. */
  read(topic: string): Promise<number>;
  /** Every topic with its cluster-wide count (the baseline when tracking starts late). */
  readAll(): Promise<TopicCount[]>;
}

/**
 * Debounced count changes for the onCountChange hook and `ft.onCountChange` listeners. Local
 * subscribe/unsubscribe and the broker's `countsChanged` mark topics dirty; after `debounceMs`
 * the cluster-wide count of each dirty topic is read once and reported if it differs from the
 * last report. Flushes never overlap, so reports for one topic arrive in order.
 *
 * Nothing is tracked until a hook or a listener exists. A listener added later starts tracking
 * with a baseline read of every topic: without it, a topic that already had subscribers could
 * fall to 0 unreported (0 is only reported after a non-zero report). Tracking then stays on.
 */
export class CountChangeNotifier {
  private state: NotifierState;
  private readonly dirty = new Set<string>();
  private readonly lastReported = new Map<string, number>();
  private readonly listeners = new Set<CountListener>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param deliver runs one hook or listener call, containing (and reporting) its failure.
   * @param failed a count read failed.
   */
  constructor(
    private readonly debounceMs: number,
    private readonly sources: CountSources,
    private readonly hook: CountListener | undefined,
    private readonly deliver: (call: () => unknown) => void,
    private readonly failed: (error: unknown) => void,
  ) {
    this.state = hook === undefined ? 'off' : 'idle';
  }

  /** Adds a listener of every reported change; returns its (idempotent) removal. */
  listen(listener: CountListener): () => void {
    if (this.state === 'stopped') return () => {};
    // Wrapped so one function added twice is two listeners, each removed by its own call.
    const entry: CountListener = (change) => listener(change);
    this.listeners.add(entry);
    if (this.state === 'off') void this.seed();
    return () => {
      this.listeners.delete(entry);
    };
  }

  markDirty(topics: Iterable<string>): void {
    if (this.state === 'off' || this.state === 'stopped') return;
    for (const topic of topics) this.dirty.add(topic);
    if (this.state === 'idle' && this.dirty.size > 0) this.schedule();
  }

  stop(): void {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    this.listeners.clear();
  }

  private async seed(): Promise<void> {
    this.state = 'seeding';
    try {
      for (const { topic, count } of await this.sources.readAll()) if (count > 0) this.lastReported.set(topic, count);
    } catch (error) {
      this.failed(error);
    }
    if (this.state !== 'seeding') return;
    this.state = 'idle';
    if (this.dirty.size > 0) this.schedule();
  }

  private schedule(): void {
    this.state = 'scheduled';
    this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.state !== 'scheduled') return;
    this.state = 'flushing';
    const topics = [...this.dirty];
    this.dirty.clear();
    const counts = await Promise.all(
      topics.map((topic) =>
        this.sources.read(topic).then(
          (count) => ({ topic, count }),
          (error: unknown) => {
            this.failed(error);
            return undefined;
          },
        ),
      ),
    );
    if ((this.state as NotifierState) === 'stopped') return;
    for (const change of counts) {
      if (change === undefined) continue;
      const last = this.lastReported.get(change.topic);
      if (last === change.count || (last === undefined && change.count === 0)) continue;
      if (change.count === 0) this.lastReported.delete(change.topic);
      else this.lastReported.set(change.topic, change.count);
      this.report(change);
    }
    this.state = 'idle';
    if (this.dirty.size > 0) this.schedule();
  }

  private report(change: TopicCount): void {
    const hook = this.hook;
    if (hook) this.deliver(() => hook({ ...change }));
    // A copy: a listener may unsubscribe itself (or another) while being called.
    for (const listener of [...this.listeners]) this.deliver(() => listener({ ...change }));
  }
}
