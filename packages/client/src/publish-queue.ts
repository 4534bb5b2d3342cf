import type { FiretowerError } from './errors.js';

export interface PublishResult {
  /** The frame id (the idempotency key the server dedupes on, with the clientId). */
  id: string;
  /** The server had already accepted this id: a retry after a reconnect, delivered once. */
  duplicate: boolean;
}

/** Appended to a publish frame's JSON object (in place of its closing brace) when it is re-sent. */
const RETRY_SUFFIX = ',"retry":true}';

/** `queued`: waits for a connection. `sent`: on the wire, waiting for the ack. */
export type PublishStatus = 'queued' | 'sent';

export interface PendingPublish {
  readonly id: string;
  /** The frame as JSON; a re-send carries `"retry":true` (see requeueSent). */
  text: string;
  readonly bytes: number;
  readonly timeoutMs: number;
  status: PublishStatus;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve(result: PublishResult): void;
  reject(error: FiretowerError): void;
}

/**
 * Publishes not yet acknowledged, in the order they were made. A publish in flight when the
 * socket dropped goes back to `queued` with its id, so the resend is deduped by the server; it is
 * marked `retry`, so a server other than the first (behind a load balancer) checks the id
 * across the cluster.
 */
export class PublishQueue {
  // Assigned in the constructor; `declare` keeps the bundle from defining it (see client.ts).
  declare private readonly entries: Map<string, PendingPublish>;

  constructor() {
    this.entries = new Map();
  }

  queuedCount(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.status === 'queued') count++;
    return count;
  }

  add(entry: PendingPublish): void {
    this.entries.set(entry.id, entry);
  }

  /** Removes the entry (its ack, error or timeout arrived) and stops its timer. */
  take(id: string): PendingPublish | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }

  queued(): PendingPublish[] {
    return [...this.entries.values()].filter((entry) => entry.status === 'queued');
  }

  /** The biggest publish on the wire: the likeliest cause of a 1009 "message too big" close. */
  largestSent(): PendingPublish | undefined {
    let largest: PendingPublish | undefined;
    for (const entry of this.entries.values()) {
      if (entry.status === 'sent' && (!largest || entry.bytes > largest.bytes)) largest = entry;
    }
    return largest;
  }

  requeueSent(): void {
    for (const entry of this.entries.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      // Only a publish that was on the wire may have reached a server; one that never left is new.
      if (entry.status === 'sent' && !entry.text.endsWith(RETRY_SUFFIX)) entry.text = `${entry.text.slice(0, -1)}${RETRY_SUFFIX}`;
      entry.status = 'queued';
    }
  }

  rejectAll(error: FiretowerError): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}
