/**
 * The restart grace: after a service restart, relaying waits until the cluster has re-formed.
 *
 * A restarted service starts empty. The first node to come back would otherwise flush the
 * publishes it buffered during the outage into a service that knows no other node's interest
 * yet, and they would be relayed to nobody (issue 15.2). So when a node registers saying it was
 * registered with another service instance before (a resume), the service opens a grace window
 * of `graceMs`: publishes and commands are accepted and held, in arrival order, while the other
 * nodes re-register and resend their counts; when it ends they are relayed by the counts of that
 * moment. A cluster's first start (no node resumes) has no grace; a restart has exactly one.
 */
export class RestartGrace {
  private state: 'none' | 'open' | 'over' = 'none';
  private held: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /** `run` runs each held relay (the core isolates a failing one: the rest still go out). */
  constructor(
    private readonly graceMs: number,
    private readonly run: (relay: () => void) => void = (relay) => relay(),
  ) {}

  /** Relaying is on hold right now. */
  get holding(): boolean {
    return this.state === 'open';
  }

  /** Entries held so far in this window. */
  get heldCount(): number {
    return this.held.length;
  }

  /** A node resumed: open the window, once per service instance. */
  resume(): void {
    if (this.state !== 'none' || this.graceMs <= 0) return;
    this.state = 'open';
    this.timer = setTimeout(() => this.release(), this.graceMs);
    this.timer.unref();
  }

  /** Hold a relay until the window ends. */
  hold(relay: () => void): void {
    this.held.push(relay);
  }

  /** End the window now: relay what was held, in order. */
  release(): void {
    if (this.state !== 'open') return;
    this.state = 'over';
    clearTimeout(this.timer);
    const held = this.held;
    this.held = [];
    for (const relay of held) this.run(relay);
  }

  /** Drop what is held (the service closes). */
  close(): void {
    clearTimeout(this.timer);
    this.held = [];
    this.state = 'over';
  }
}
