import type { SinceRequest, StreamPosition } from '@firetower/protocol';

/** What to do with a delivery: hand it to the app, drop it (a duplicate, or replayed after a pending ack), or recover (a message was lost). */
export type Verdict = 'deliver' | 'drop' | 'gap';

/** The next position continues the last one: one more in the same epoch, or the first of any epoch after an empty stream. */
const continues = (last: StreamPosition, next: StreamPosition): boolean =>
  next.offset === last.offset + 1 && (next.epoch === last.epoch || (last.epoch === '' && last.offset === 0));

/**
 * The client's place in each subscribed topic's history: the last position it delivered, the
 * catch-up a first subscribe asked for, and the topics whose recovery is unanswered. Positions
 * outlive a connection (that is what recovers a reconnect) but not the topic's last holder.
 */
export class StreamPositions {
  // Assigned in the constructor; `declare` keeps the bundle from defining each one (see client.ts).
  declare private readonly last: Map<string, StreamPosition>;
  /** A subscribe with a position was sent and not answered: what arrives meanwhile is replayed after its ack. */
  declare private readonly inFlight: Set<string>;
  /** `since: { limit }` of the topic's first subscribe, kept until an ack (a reconnect may come first). */
  declare private readonly catchUp: Map<string, number>;

  constructor() {
    this.last = new Map();
    this.inFlight = new Set();
    this.catchUp = new Map();
  }

  /** What a subscribe frame asks of the topic's history: recover from the last position, or the first subscribe's catch-up. */
  since(topic: string): SinceRequest | undefined {
    const limit = this.catchUp.get(topic);
    return this.last.get(topic) ?? (limit === undefined ? undefined : { limit });
  }

  wantCatchUp(topic: string, limit: number): void {
    this.catchUp.set(topic, limit);
  }

  /** A subscribe with the topic's position went out: at most one recovery per topic is in flight. */
  recovering(topic: string): void {
    this.inFlight.add(topic);
  }

  /** A delivery: moves the position when it continues the stream. */
  check(topic: string, position: StreamPosition | undefined): Verdict {
    if (this.inFlight.has(topic)) return 'drop';
    const last = this.last.get(topic);
    // No position: a topic without history. No last one yet: the first message tells where we are.
    if (!position || !last || continues(last, position)) {
      if (position) this.last.set(topic, position);
      return 'deliver';
    }
    return position.epoch === last.epoch && position.offset <= last.offset ? 'drop' : 'gap';
  }

  /** A subscribe ack: the server's position is where the replay that follows starts (none: no history). */
  acked(topic: string, position: StreamPosition | undefined): void {
    this.inFlight.delete(topic);
    this.catchUp.delete(topic);
    if (position) this.last.set(topic, { offset: position.offset, epoch: position.epoch });
    else this.last.delete(topic);
  }

  /** The connection is gone, and the unanswered subscribes with it (the next connection asks again). */
  dropped(): void {
    this.inFlight.clear();
  }

  /** The topic's last holder left: a later subscribe starts live, not from here. */
  forget(topic: string): void {
    this.last.delete(topic);
    this.inFlight.delete(topic);
    this.catchUp.delete(topic);
  }
}
