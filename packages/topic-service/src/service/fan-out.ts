import { monotonicNow } from '../clock.js';
import type { WirePresenceChange, WirePublish } from '../wire.js';
import type { LongPolls } from './long-polls.js';
import type { NodeRecord } from './node-record.js';
import type { TopicRegistry } from './registry.js';
import type { HistoryStreams } from './streams.js';

/** What the fan-out reads and writes: the core's nodes, registry, streams and long-polls. */
export interface FanOutLink {
  readonly nodes: ReadonlyMap<string, NodeRecord>;
  readonly registry: TopicRegistry;
  readonly streams: HistoryStreams;
  readonly polls: LongPolls;
}

/**
 * Who is sent what: messages, commands and presence transitions to the nodes the registry says
 * have subscribers (or to every other node, for commands), and count-change hints to the other
 * holders of a topic. Apart from the core so the targeting rules read in one place; the restart
 * grace and sequence bookkeeping stay with the core.
 */
export class FanOut {
  constructor(private readonly link: FanOutLink) {}

  /**
   * Relay messages to every other node with subscribers of their topic, in order; a history
   * publish is appended to its stream here (offsets follow relay order) and echoed to its origin
   * too. With `first` (the first message's sequence), each entry names its origin and sequence.
   * Returns the deliveries queued.
   */
  messages(originId: string, from: string, messages: readonly WirePublish[], first: number | undefined): number {
    let deliveries = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const position = message.history === undefined ? undefined : this.link.streams.append(message.topic, message.data, message.history, monotonicNow());
      const echo = position !== undefined;
      const targets = this.link.registry.nodesOf(message.topic);
      if (!targets || (!echo && targets.size === 1 && targets.has(originId))) continue;
      const item: Record<string, unknown> = { kind: 'message', topic: message.topic, data: message.data };
      if (message.exclude !== undefined) item.exclude = message.exclude;
      if (first !== undefined) {
        item.origin = from;
        item.seq = first + i;
      }
      if (position) {
        item.offset = position.offset;
        item.epoch = position.epoch;
      }
      const json = JSON.stringify(item);
      for (const targetId of targets.keys()) {
        if (targetId === originId && !echo) continue;
        const target = this.link.nodes.get(targetId);
        if (!target) continue;
        this.link.polls.enqueue(target, json);
        deliveries += 1;
      }
    }
    return deliveries;
  }

  /** Queue a command (JSON already) for every live node but its origin; returns the deliveries. */
  control(originId: string, json: string): number {
    let deliveries = 0;
    for (const target of this.link.nodes.values()) {
      if (target.nodeId === originId) continue;
      this.link.polls.enqueue(target, json);
      deliveries += 1;
    }
    return deliveries;
  }

  /** Queue presence transitions for the presence-speaking nodes with subscribers of their topic. */
  presence(changes: readonly WirePresenceChange[]): void {
    for (const change of changes) {
      const targets = this.link.registry.nodesOf(change.topic);
      if (!targets) continue;
      const json = JSON.stringify({ kind: 'presence', ...change });
      for (const targetId of targets.keys()) {
        const target = this.link.nodes.get(targetId);
        if (target?.presence === true) this.link.polls.enqueue(target, json);
      }
    }
  }

  /** Tell the other holders of each topic that its cluster-wide count changed (on their next poll). */
  countHints(changerId: string, topics: readonly string[]): void {
    for (const topic of topics) {
      const holders = this.link.registry.nodesOf(topic);
      if (!holders) continue;
      for (const holderId of holders.keys()) {
        if (holderId === changerId) continue;
        const holder = this.link.nodes.get(holderId);
        if (!holder) continue;
        holder.countHints.add(topic);
        this.link.polls.wake(holder);
      }
    }
  }
}
