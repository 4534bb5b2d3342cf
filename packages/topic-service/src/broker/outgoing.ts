import { Fifo } from '@firetower/protocol';
import type { WireControl, WireCount, WirePresenceUpdate, WirePublish } from '../wire.js';

export type OutgoingEntry = { kind: 'message'; message: WirePublish } | { kind: 'control'; command: WireControl };

/** An entry with its sequence: numbered at push, growing for the life of the process. */
export type QueuedEntry = OutgoingEntry & { seq: number };

/**
 * What the sender sends next: the latest counts first, then the latest presence (so the service
 * knows this node's subscribers before its members: it sends the node its own transitions), then
 * publishes and commands in call order.
 * `seq` is the sequence of the batch's first entry (the others follow it without gaps);
 * `entries` are the queued entries the batch carries.
 */
export type OutgoingBatch =
  | { kind: 'counts'; changes: WireCount[] }
  | { kind: 'presence'; updates: WirePresenceUpdate[] }
  | { kind: 'messages'; messages: WirePublish[]; seq: number; entries: QueuedEntry[] }
  | { kind: 'control'; command: WireControl; seq: number; entries: QueuedEntry[] };

/**
 * A node's outgoing work. Count changes are coalesced (latest count per topic), presence changes
 * too (latest per topic and member); publishes and commands keep their order and are bounded by
 * `maxMessages` (commands are never refused).
 */
export class OutgoingQueue {
  private readonly counts = new Map<string, number>();
  /** `${memberId}\0${topic}` → the latest update of that pair. */
  private readonly presence = new Map<string, WirePresenceUpdate>();
  private readonly entries = new Fifo<QueuedEntry>();
  private nextSeq = 1;
  private messages = 0;
  private waiter: (() => void) | undefined;
  private wakeScheduled = false;

  constructor(private readonly flushIntervalMs: number) {}

  get pendingMessages(): number {
    return this.messages;
  }

  get pendingCounts(): number {
    return this.counts.size;
  }

  get pendingPresence(): number {
    return this.presence.size;
  }

  /** The sequence of the entry pushed last (0 before the first). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Is an entry numbered `seq` or lower still waiting for the service (the front holds the lowest)? */
  holdsThrough(seq: number): boolean {
    const first = this.entries.at(0);
    return first !== undefined && first.seq <= seq;
  }

  /** Is a count change of `topic` still waiting for the service? */
  holdsCount(topic: string): boolean {
    return this.counts.has(topic);
  }

  isEmpty(): boolean {
    return this.counts.size === 0 && this.presence.size === 0 && this.entries.length === 0;
  }

  setCount(topic: string, count: number): void {
    this.counts.set(topic, count);
    this.schedule();
  }

  /** The full set is being sent: forget earlier deltas (they are part of it). */
  clearCounts(): void {
    this.counts.clear();
  }

  setPresence(update: WirePresenceUpdate): void {
    this.presence.set(`${update.memberId}\u0000${update.topic}`, update);
    this.schedule();
  }

  /** The full presence is being written: forget earlier changes (they are part of it). */
  clearPresence(): void {
    this.presence.clear();
  }

  push(entry: OutgoingEntry): void {
    this.entries.push({ ...entry, seq: this.nextSeq++ });
    if (entry.kind === 'message') this.messages += 1;
    this.schedule();
  }

  /** Put entries sent before back at the front, with their own sequences (a replay). */
  requeue(entries: readonly QueuedEntry[]): void {
    if (entries.length === 0) return;
    this.entries.prepend(entries);
    for (const entry of entries) if (entry.kind === 'message') this.messages += 1;
    this.schedule();
  }

  /** The next batch, without removing it; `commit` removes it once the service accepted it. */
  peek(maxBatch: number): OutgoingBatch | undefined {
    if (this.counts.size > 0) {
      const changes: WireCount[] = [];
      for (const [topic, count] of this.counts) {
        changes.push({ topic, count });
        if (changes.length >= maxBatch) break;
      }
      return { kind: 'counts', changes };
    }
    if (this.presence.size > 0) {
      const updates: WirePresenceUpdate[] = [];
      for (const update of this.presence.values()) {
        updates.push(update);
        if (updates.length >= maxBatch) break;
      }
      return { kind: 'presence', updates };
    }
    const first = this.entries.at(0);
    if (!first) return undefined;
    if (first.kind === 'control') return { kind: 'control', command: first.command, seq: first.seq, entries: [first] };
    const messages: WirePublish[] = [];
    const entries: QueuedEntry[] = [];
    for (let i = 0; i < this.entries.length && messages.length < maxBatch; i++) {
      const entry = this.entries.at(i)!;
      // A batch's sequences are contiguous: the service numbers its messages from the first.
      if (entry.kind !== 'message' || entry.seq !== first.seq + messages.length) break;
      messages.push(entry.message);
      entries.push(entry);
    }
    return { kind: 'messages', messages, seq: first.seq, entries };
  }

  /** Remove a batch the service accepted. Counts that changed again meanwhile stay queued. */
  commit(batch: OutgoingBatch): void {
    if (batch.kind === 'counts') {
      for (const { topic, count } of batch.changes) {
        if (this.counts.get(topic) === count) this.counts.delete(topic);
      }
      return;
    }
    if (batch.kind === 'presence') {
      // An update replaced meanwhile is another object: it stays queued.
      for (const update of batch.updates) {
        const key = `${update.memberId}\u0000${update.topic}`;
        if (this.presence.get(key) === update) this.presence.delete(key);
      }
      return;
    }
    const n = batch.entries.length;
    if (batch.kind === 'messages') this.messages -= n;
    const at = this.entries.indexOf(batch.entries[0]!);
    if (at > 0) {
      // A replay was put in front while this batch was in flight: remove it where it is.
      this.entries.remove(at, n);
      return;
    }
    if (at < 0) return;
    this.entries.drop(n);
  }

  /** Resolves when work arrives (after the flush interval, so one turn's publishes go together). */
  waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      if (!this.isEmpty()) this.schedule();
    });
  }

  /** Release a waiting sender (on close). */
  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private schedule(): void {
    if (!this.waiter || this.wakeScheduled) return;
    this.wakeScheduled = true;
    const fire = () => {
      this.wakeScheduled = false;
      this.wake();
    };
    if (this.flushIntervalMs > 0) setTimeout(fire, this.flushIntervalMs);
    else setImmediate(fire);
  }
}

/** A publish request's body; `keyTtlMs` only with keys. */
export function publishBody(
  epoch: string,
  seq: number,
  messages: WirePublish[],
  keyTtlMs: number,
): { epoch: string; seq: number; keyTtlMs?: number; messages: WirePublish[] } {
  return messages.some((m) => m.key !== undefined) ? { epoch, seq, keyTtlMs, messages } : { epoch, seq, messages };
}

/** Remove the keys of queued messages in place (they are the queue's own objects); true when any had one. */
export function stripKeys(messages: WirePublish[]): boolean {
  let stripped = false;
  for (const message of messages) {
    if (message.key === undefined) continue;
    delete message.key;
    stripped = true;
  }
  return stripped;
}
