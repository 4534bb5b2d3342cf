import type { TopicCount } from './broker/types.js';

/** `scheduled`: a debounce timer runs; `flushing`: cluster counts are being read. */
type NotifierState = 'idle' | 'scheduled' | 'flushing' | 'stopped';

/**
 * Debounced onCountChange. Local subscribe/unsubscribe and the broker's `countsChanged` mark
 * topics dirty; after `debounceMs` the cluster-wide count of each dirty topic is read once and
 * reported if it differs from the last report. Flushes never overlap, so reports for one topic
 * arrive in order. Nothing is tracked when no hook listens.
 */
export class CountChangeNotifier {
  private state: NotifierState = 'idle';
  private readonly dirty = new Set<string>();
  private readonly lastReported = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly debounceMs: number,
    private readonly read: (topic: string) => Promise<number>,
    private readonly report: ((change: TopicCount) => void) | undefined,
    private readonly failed: (error: unknown) => void,
  ) {}

  markDirty(topics: Iterable<string>): void {
    if (this.report === undefined || this.state === 'stopped') return;
    for (const topic of topics) this.dirty.add(topic);
    if (this.state === 'idle' && this.dirty.size > 0) this.schedule();
  }

  stop(): void {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
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
        this.read(topic).then(
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
      try {
        this.report?.(change);
      } catch (error) {
        this.failed(error);
      }
    }
    this.state = 'idle';
    if (this.dirty.size > 0) this.schedule();
  }
}
