/**
 * This node's presence: per presence topic, each member's connections holding it here. A change
 * is reported to the broker once per member and topic per event-loop turn (a tab's reload, a
 * 64-topic subscribe), with the latest count.
 */
import type { PresenceUpdate } from '../broker/types.js';

interface LocalMember {
  info: string;
  connections: number;
}

/** One member of one topic, as a Map key (NUL cannot occur in a topic). */
export function memberKey(topic: string, memberId: string): string {
  return `${topic}\u0000${memberId}`;
}

export class LocalPresence {
  private readonly topics = new Map<string, Map<string, LocalMember>>();
  private readonly dirty = new Map<string, PresenceUpdate>();
  private scheduled = false;

  /** @param flush gets the batched updates (the broker's `updatePresence`). */
  constructor(private readonly flush: (updates: PresenceUpdate[]) => void) {}

  /** Members tracked (for leak checks: 0 once every connection closed). */
  get size(): number {
    let total = 0;
    for (const members of this.topics.values()) total += members.size;
    return total;
  }

  join(topic: string, memberId: string, info: string): void {
    let members = this.topics.get(topic);
    if (members === undefined) this.topics.set(topic, (members = new Map<string, LocalMember>()));
    const member = members.get(memberId) ?? { info, connections: 0 };
    member.connections++;
    member.info = info;
    members.set(memberId, member);
    this.mark(topic, memberId, member);
  }

  leave(topic: string, memberId: string): void {
    const members = this.topics.get(topic);
    const member = members?.get(memberId);
    if (members === undefined || member === undefined) return;
    member.connections--;
    if (member.connections <= 0) {
      members.delete(memberId);
      if (members.size === 0) this.topics.delete(topic);
    }
    this.mark(topic, memberId, member);
  }

  /** Every member of every topic, for a broker that lost its copy. */
  all(): PresenceUpdate[] {
    const updates: PresenceUpdate[] = [];
    for (const [topic, members] of this.topics) {
      for (const [memberId, { info, connections }] of members) updates.push({ topic, memberId, info, connections });
    }
    return updates;
  }

  private mark(topic: string, memberId: string, member: LocalMember): void {
    this.dirty.set(memberKey(topic, memberId), { topic, memberId, info: member.info, connections: Math.max(0, member.connections) });
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const updates = [...this.dirty.values()];
      this.dirty.clear();
      if (updates.length > 0) this.flush(updates);
    });
  }
}
