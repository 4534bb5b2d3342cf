/**
 * The node's heartbeat: every connection is visited once per interval (ping, heartbeat frame,
 * half-open check), a slice at a time, so a node with 100,000 connections never holds the event
 * loop for one long sweep. A slice visits at most MAX_PER_SLICE connections (measured with
 * `pnpm bench --scenarios scale`: about 380 sockets in one tick already put the loop-delay p99 at
 * 13 ms), and slices are at least SLICE_MIN_MS apart; a round plans its slices from the count at
 * its start, so a short interval (tests) stays one sweep per tick.
 */
const MAX_PER_SLICE = 200;
const SLICE_MIN_MS = 10;
/** With few connections the slices still spread over the interval, no closer than this. */
const SLICE_TARGET_MS = 100;
const MIN_SLICES = 50;

export class HeartbeatSweep<M> {
  private timer: NodeJS.Timeout | undefined;
  private round: Iterator<M> | undefined;
  private slices = 1;
  private slice = 0;
  private quota = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly members: () => IterableIterator<M>,
    private readonly count: () => number,
    private readonly visit: (member: M) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.round = undefined;
  }

  private schedule(): void {
    if (this.slice === 0) this.slices = this.plan(this.count());
    this.timer = setTimeout(() => this.tick(), this.intervalMs / this.slices);
    this.timer.unref();
  }

  /** Slices for one round: enough that none visits more than MAX_PER_SLICE, within the interval. */
  private plan(count: number): number {
    const byTime = Math.min(MIN_SLICES, Math.floor(this.intervalMs / SLICE_TARGET_MS));
    const byCount = Math.ceil(count / MAX_PER_SLICE);
    const most = Math.max(1, Math.floor(this.intervalMs / SLICE_MIN_MS));
    return Math.max(1, Math.min(most, Math.max(byTime, byCount)));
  }

  /**
   * One slice. A round starts with a live iterator over the members (a connection that joins
   * during the round may be visited in it, one that leaves is skipped) and a quota fixed from the
   * count at its start; the last slice of a round finishes whatever is left.
   */
  private tick(): void {
    if (this.slice === 0) {
      this.round = this.members();
      this.quota = Math.ceil(this.count() / this.slices);
    }
    const last = this.slice === this.slices - 1;
    const round = this.round!;
    for (let visited = 0; last || visited < this.quota; visited++) {
      const next = round.next();
      if (next.done) break;
      this.visit(next.value);
    }
    if (last) this.round = undefined;
    this.slice = last ? 0 : this.slice + 1;
    this.schedule();
  }
}
