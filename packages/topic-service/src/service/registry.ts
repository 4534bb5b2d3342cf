import type { WireCount } from '../wire.js';

/**
 * Which node has how many subscribers of which topic. The cluster-wide count of a topic is the
 * sum over its nodes; it is kept incrementally so reads never walk the nodes.
 */
export class TopicRegistry {
  private readonly byTopic = new Map<string, Map<string, number>>();
  private readonly totals = new Map<string, number>();

  /** Set one node's count of a topic; returns true when the cluster-wide count changed. */
  set(nodeId: string, topic: string, count: number): boolean {
    let nodes = this.byTopic.get(topic);
    const previous = nodes?.get(nodeId) ?? 0;
    if (previous === count) return false;
    if (count === 0) {
      nodes?.delete(nodeId);
      if (nodes && nodes.size === 0) this.byTopic.delete(topic);
    } else {
      if (!nodes) {
        nodes = new Map();
        this.byTopic.set(topic, nodes);
      }
      nodes.set(nodeId, count);
    }
    const total = (this.totals.get(topic) ?? 0) - previous + count;
    if (total === 0) this.totals.delete(topic);
    else this.totals.set(topic, total);
    return true;
  }

  /** The nodes with subscribers of a topic (live view; do not mutate while iterating). */
  nodesOf(topic: string): ReadonlyMap<string, number> | undefined {
    return this.byTopic.get(topic);
  }

  count(topic: string): number {
    return this.totals.get(topic) ?? 0;
  }

  /** Every topic with its cluster-wide count, the largest first (ties by name, for stable output). */
  list(): WireCount[] {
    const out: WireCount[] = [];
    for (const [topic, count] of this.totals) out.push({ topic, count });
    return out.sort((a, b) => b.count - a.count || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }
}
