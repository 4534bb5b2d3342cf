/**
 * The node's heartbeat: every connection is visited once per interval (ping, heartbeat frame,
 * half-open check), a slice at a time. One sweep over 100,000 sockets in a single tick would hold
 * the event loop for tens of milliseconds every interval; in slices, each tick handles
 * 1/`slices` of them. Slices are at least SLICE_MIN_MS apart, so a short interval (tests) is one
 * sweep per tick as before.
 */
const SLICE_MIN_MS = 100;
const MAX_SLICES = 50;

export class HeartbeatSweep<M> {
  private readonly slices: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Iterator<M> | undefined;
  private slice = 0;
  private quota = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly members: () => IterableIterator<M>,
    private readonly count: () => number,
    private readonly visit: (member: M) => void,
  ) {
    this.slices = Math.max(1, Math.min(MAX_SLICES, Math.floor(intervalMs / SLICE_MIN_MS)));
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs / this.slices);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.round = undefined;
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
    this.slice = last ? 0 : this.slice + 1;
  }
}
