import type { PresenceListResponse, WirePresenceChange, WirePresenceUpdate } from '../wire.js';

/**
 * The cluster's presence (issue 19): per topic and member, each node's share (how many of the
 * member's connections on that node hold the topic). A node's change is a cluster-wide join when
 * the member had no connection anywhere before, a leave when it has none anywhere after, so a
 * member with tabs on two nodes that closes one stays. Same semantics as the memory broker's
 * `MemoryPresence`.
 *
 * Bounded: a node keeps at most `maxPerNodeTopic` members per topic, and the table at most
 * `maxShares` shares in all. A new share past either is refused (counted, never an error, so the
 * rest of its batch applies); a change to a share already kept, and every leave, always applies.
 */

interface Member {
  /** What the member shows, JSON text: the latest any node wrote. */
  info: string;
  /** Its connections on every node (the sum of the shares). */
  connections: number;
  /**
   * Its shares as `[nodeId, connections, nodeId, connections, …]` (never 0 connections): one small
   * array instead of a Map per member, about 150 bytes less each (`bench/presence-memory.mjs`); a
   * member is on few nodes, so a linear scan is cheap.
   */
  shares: Array<string | number>;
}

/** The member's connections on `nodeId` (0 when none), and where its share sits in `shares`. */
function shareOf(member: Member | undefined, nodeId: string): { at: number; connections: number } {
  if (member !== undefined) {
    for (let i = 0; i < member.shares.length; i += 2) if (member.shares[i] === nodeId) return { at: i, connections: member.shares[i + 1] as number };
  }
  return { at: -1, connections: 0 };
}

interface Transition {
  kind: 'joined' | 'left';
  info: string;
}

export interface PresenceLimits {
  /** Members one node may hold on one topic. */
  maxPerNodeTopic: number;
  /** Shares (member × topic × node) in the whole table. */
  maxShares: number;
}

export interface PresenceStats {
  /** Topics with at least one member. */
  topics: number;
  /** Distinct (topic, member) pairs. */
  members: number;
  /** (topic, member, node) shares: 0 once every connection everywhere closed. */
  shares: number;
  /** New shares refused by a cap since the service started. */
  refused: number;
}

/** What applying a node's updates did: transitions (one change per topic) and shares refused. */
export interface PresenceOutcome {
  changes: WirePresenceChange[];
  refused: number;
}

/** The key of one (topic, member) pair (a member id never holds NUL: `schemas.ts` refuses it). */
const pairKey = (topic: string, memberId: string): string => `${memberId}\u0000${topic}`;

export class PresenceTable {
  /** topic → member → its shares. */
  private readonly topics = new Map<string, Map<string, Member>>();
  /** node id → topic → its members there: what leaves with the node, and what the caps count. */
  private readonly byNode = new Map<string, Map<string, Set<string>>>();
  private shares = 0;
  private refusedTotal = 0;

  constructor(private readonly limits: PresenceLimits) {}

  /**
   * Apply one node's updates, the latest per (topic, member) winning. With `keep` (a full write),
   * every share of this node whose pair is not in it goes to 0 too.
   */
  update(nodeId: string, updates: readonly WirePresenceUpdate[], keep?: ReadonlySet<string>): PresenceOutcome {
    const latest = new Map<string, WirePresenceUpdate>();
    if (keep !== undefined) {
      for (const [topic, members] of this.byNode.get(nodeId) ?? []) {
        for (const memberId of members) {
          if (!keep.has(pairKey(topic, memberId))) latest.set(pairKey(topic, memberId), { topic, memberId, info: 'null', connections: 0 });
        }
      }
    }
    for (const update of updates) latest.set(pairKey(update.topic, update.memberId), update);
    const changes = new Map<string, WirePresenceChange>();
    let refused = 0;
    for (const update of latest.values()) {
      const transition = this.apply(nodeId, update);
      if (transition === 'refused') {
        refused += 1;
        continue;
      }
      if (transition === undefined) continue;
      let change = changes.get(update.topic);
      if (change === undefined) changes.set(update.topic, (change = { topic: update.topic, joined: [], left: [], members: 0 }));
      change[transition.kind].push({ memberId: update.memberId, info: transition.info });
    }
    for (const change of changes.values()) change.members = this.topics.get(change.topic)?.size ?? 0;
    this.refusedTotal += refused;
    return { changes: [...changes.values()], refused };
  }

  /** A node is gone (lease expired, left, replaced): its members leave where it was their last place. */
  removeNode(nodeId: string): WirePresenceChange[] {
    const updates: WirePresenceUpdate[] = [];
    for (const [topic, members] of this.byNode.get(nodeId) ?? []) {
      for (const memberId of members) updates.push({ topic, memberId, info: 'null', connections: 0 });
    }
    return this.update(nodeId, updates).changes;
  }

  /** The topic's members, cluster-wide: at most `limit` (in the order they joined), `total` of them all. */
  list(topic: string, limit: number): PresenceListResponse {
    const members = this.topics.get(topic);
    if (members === undefined) return { topic, members: [], total: 0 };
    const out: PresenceListResponse['members'] = [];
    for (const [memberId, member] of members) {
      if (out.length >= limit) break;
      out.push({ memberId, info: member.info, connections: member.connections });
    }
    return { topic, members: out, total: members.size };
  }

  /** The key `update`'s `keep` set holds for a pair. */
  static key(topic: string, memberId: string): string {
    return pairKey(topic, memberId);
  }

  stats(): PresenceStats {
    let members = 0;
    for (const topic of this.topics.values()) members += topic.size;
    return { topics: this.topics.size, members, shares: this.shares, refused: this.refusedTotal };
  }

  clear(): void {
    this.topics.clear();
    this.byNode.clear();
    this.shares = 0;
  }

  /** Set one share; returns the member's cluster-wide transition (a leave shows what the member showed), if any. */
  private apply(nodeId: string, { topic, memberId, info, connections }: WirePresenceUpdate): Transition | 'refused' | undefined {
    let members = this.topics.get(topic);
    const member = members?.get(memberId);
    const { at, connections: had } = shareOf(member, nodeId);
    if (connections === had && (connections === 0 || member!.info === info)) return undefined;
    if (connections === 0) {
      // had > 0 here, so the member and its share exist.
      const m = member!;
      m.shares.splice(at, 2);
      m.connections -= had;
      this.forget(nodeId, topic, memberId);
      if (m.shares.length > 0) return undefined;
      members!.delete(memberId);
      if (members!.size === 0) this.topics.delete(topic);
      return { kind: 'left', info: m.info };
    }
    if (had === 0 && !this.admit(nodeId, topic, memberId)) return 'refused';
    if (members === undefined) this.topics.set(topic, (members = new Map<string, Member>()));
    if (member === undefined) {
      // An array literal is allocated exactly; a push onto [] would reserve 17 slots.
      members.set(memberId, { info, connections, shares: [nodeId, connections] });
      return { kind: 'joined', info };
    }
    member.info = info;
    if (at >= 0) member.shares[at + 1] = connections;
    else member.shares = member.shares.concat(nodeId, connections); // exact size, unlike push
    member.connections += connections - had;
    return undefined;
  }

  /** Record a new share of `nodeId` if the caps allow it. */
  private admit(nodeId: string, topic: string, memberId: string): boolean {
    let topics = this.byNode.get(nodeId);
    const members = topics?.get(topic);
    if (this.shares >= this.limits.maxShares || (members?.size ?? 0) >= this.limits.maxPerNodeTopic) return false;
    if (topics === undefined) this.byNode.set(nodeId, (topics = new Map<string, Set<string>>()));
    if (members === undefined) topics.set(topic, new Set([memberId]));
    else members.add(memberId);
    this.shares += 1;
    return true;
  }

  private forget(nodeId: string, topic: string, memberId: string): void {
    const topics = this.byNode.get(nodeId);
    const members = topics?.get(topic);
    if (members === undefined || !members.delete(memberId)) return;
    this.shares -= 1;
    if (members.size === 0) topics!.delete(topic);
    if (topics!.size === 0) this.byNode.delete(nodeId);
  }
}
