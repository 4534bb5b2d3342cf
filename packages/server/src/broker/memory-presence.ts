/**
 * The memory bus's presence: per topic and member, each node's connections. A change of one
 * node's count is a cluster-wide join when the member had no connection anywhere before, a leave
 * when it has none anywhere after; a member on two nodes that leaves one stays.
 */
import type { PresenceChange, PresenceEntry, PresenceUpdate } from './types.js';

interface NodeShare {
  info: string;
  connections: number;
}

export class MemoryPresence {
  /** topic → member → node → its share. */
  private readonly topics = new Map<string, Map<string, Map<string, NodeShare>>>();

  /** Entries held (for leak checks). */
  get size(): number {
    let total = 0;
    for (const members of this.topics.values()) for (const nodes of members.values()) total += nodes.size;
    return total;
  }

  /** Apply one node's updates; returns the transitions, one change per topic. */
  update(nodeId: string, updates: readonly PresenceUpdate[]): PresenceChange[] {
    const changes = new Map<string, PresenceChange>();
    for (const { topic, memberId, info, connections } of updates) {
      let members = this.topics.get(topic);
      const nodes = members?.get(memberId);
      const before = total(nodes);
      if (connections > 0) {
        if (members === undefined) this.topics.set(topic, (members = new Map<string, Map<string, NodeShare>>()));
        const shares = nodes ?? new Map<string, NodeShare>();
        shares.set(nodeId, { info, connections });
        members.set(memberId, shares);
      } else if (nodes !== undefined) {
        nodes.delete(nodeId);
        if (nodes.size === 0) members!.delete(memberId);
        if (members!.size === 0) this.topics.delete(topic);
      }
      const after = total(this.topics.get(topic)?.get(memberId));
      if ((before === 0) === (after === 0)) continue;
      let change = changes.get(topic);
      if (change === undefined) changes.set(topic, (change = { topic, joined: [], left: [], members: 0 }));
      (after > 0 ? change.joined : change.left).push({ memberId, info });
    }
    for (const change of changes.values()) change.members = this.topics.get(change.topic)?.size ?? 0;
    return [...changes.values()];
  }

  /** A node left the bus: its members leave where it was their last place. */
  removeNode(nodeId: string): PresenceChange[] {
    const updates: PresenceUpdate[] = [];
    for (const [topic, members] of this.topics) {
      for (const [memberId, nodes] of members) {
        const share = nodes.get(nodeId);
        if (share !== undefined) updates.push({ topic, memberId, info: share.info, connections: 0 });
      }
    }
    return this.update(nodeId, updates);
  }

  list(topic: string, limit: number): { members: PresenceEntry[]; total: number } {
    const members = this.topics.get(topic);
    if (members === undefined) return { members: [], total: 0 };
    const list: PresenceEntry[] = [];
    for (const [memberId, nodes] of members) {
      if (list.length >= limit) break;
      let info = 'null';
      for (const share of nodes.values()) info = share.info;
      list.push({ memberId, info, connections: total(nodes) });
    }
    return { members: list, total: members.size };
  }
}

function total(nodes: ReadonlyMap<string, NodeShare> | undefined): number {
  let sum = 0;
  if (nodes !== undefined) for (const share of nodes.values()) sum += share.connections;
  return sum;
}
