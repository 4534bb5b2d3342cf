import { DedupeWindow } from '../core/dedupe.js';
import { MemoryHistoryStore } from '../history/memory-store.js';
import { MemoryPresence } from './memory-presence.js';
import { ClusterCore, sortTopics, type BrokerCapabilities, type BrokerState } from './core.js';
import type {
  Broker,
  BrokerMessage,
  BrokerNode,
  BrokerStatus,
  ControlCommand,
  HistoryQuery,
  HistoryRead,
  PresenceChange,
  PresenceEntry,
  PresenceUpdate,
  TopicCount,
} from './types.js';

/** One node's place on a memory bus: its callbacks, its local counts and its simulated link. */
interface BusMember {
  node: BrokerNode;
  counts: Map<string, number>;
  /** The link is cut (`MemoryBus.link`): nothing reaches the node, and its broker buffers. */
  down: boolean;
  /** Every entry to or from the node waits this long (`MemoryBus.link`). */
  delayMs: number;
  /** Its broker, told when the link goes down or comes back. */
  onLink?(up: boolean): void;
}

/** A simulated link fault of one node on a memory bus (for tests: the contract suite's link faults). */
export interface MemoryLinkFaults {
  /** Nothing reaches the node from the bus; its broker goes `degraded` and buffers. */
  cut(): void;
  /** The link is back: the broker flushes what it buffered. */
  restore(): void;
  /** Entries to and from the node wait `ms` (0: none). */
  slow(ms: number): void;
}

/**
 * An in-process "cluster": every memory broker started on the same bus sees the others, so several
 * firetower instances in one process behave like the nodes of a real cluster (used by tests and by
 * apps that run more than one firetower in a process).
 */
export interface MemoryBus {
  readonly members: ReadonlyMap<string, BusMember>;
  /** Idempotency keys seen by any node on the bus (the window of the first node to join). */
  readonly keys: DedupeWindow | undefined;
  /** The bus's one history store: every node on the bus reads and appends the same streams. */
  readonly history: MemoryHistoryStore;
  /** The bus's presence: every node's members of every presence topic. */
  readonly presence: MemoryPresence;
  join(node: BrokerNode): BusMember;
  leave(nodeId: string): void;
  /** For tests: cut, restore or slow the link of a node on this bus (undefined if it is not on it). */
  link(nodeId: string): MemoryLinkFaults | undefined;
}

export function createMemoryBus(): MemoryBus {
  const members = new Map<string, BusMember>();
  let keys: DedupeWindow | undefined;
  let history: MemoryHistoryStore | undefined;
  const presence = new MemoryPresence();
  return {
    presence,
    members,
    get keys() {
      return keys;
    },
    get history() {
      return (history ??= new MemoryHistoryStore());
    },
    join(node) {
      if (members.has(node.nodeId)) throw new Error(`memory bus: node ${node.nodeId} joined twice`);
      keys ??= new DedupeWindow(node.dedupeWindowMs);
      const member: BusMember = { node, counts: new Map(), down: false, delayMs: 0 };
      members.set(node.nodeId, member);
      return member;
    },
    leave(nodeId) {
      const member = members.get(nodeId);
      if (!member) return;
      members.delete(nodeId);
      const topics = [...member.counts.keys()];
      if (topics.length > 0) notifyOthers(members, nodeId, topics);
      announcePresence(members, presence.removeNode(nodeId));
    },
    link(nodeId) {
      const member = members.get(nodeId);
      if (!member) return undefined;
      const set = (down: boolean) => {
        if (member.down === down) return;
        member.down = down;
        member.onLink?.(!down);
      };
      return { cut: () => set(true), restore: () => set(false), slow: (ms) => void (member.delayMs = Math.max(0, ms)) };
    },
  };
}

/** Presence transitions reach every node with subscribers of the topic. */
function announcePresence(members: ReadonlyMap<string, BusMember>, changes: readonly PresenceChange[]): void {
  for (const change of changes) {
    for (const member of members.values()) if (!member.down && member.counts.has(change.topic)) member.node.presenceChanged?.(change);
  }
}

function notifyOthers(members: ReadonlyMap<string, BusMember>, nodeId: string, topics: string[]): void {
  for (const [id, other] of members) if (id !== nodeId) other.node.countsChanged?.(topics);
}

export interface MemoryBrokerOptions {
  /** Share a bus between brokers to form an in-process cluster. @default a private bus */
  bus?: MemoryBus;
}

/** What travels on the bus: a publish, or a command (a command has a `kind`). */
type BusEntry = BrokerMessage | ControlCommand;

/**
 * The default broker: a single process. Publishing is synchronous (the message reaches every
 * local subscriber's socket before `publish()` returns its already-resolved promise), which is
 * what keeps per-publisher ordering trivially true and the hot path free of awaits. Its link, the
 * bus, never goes down: the core's outage buffer stays empty.
 */
class MemoryBroker implements Broker {
  readonly kind = 'memory';
  /** Every member hears of every count change on the bus (`countsChanged`). */
  readonly capabilities: BrokerCapabilities = { reportsEveryCountChange: true };
  private readonly core: ClusterCore<BusEntry>;
  private member: BusMember | undefined;
  /**
   * Only on a bus shared with other brokers: alone in its process a node's own idempotency window
   * already knows every key, and a publish with a key stays synchronous.
   */
  readonly claimKey: ((key: string) => Promise<boolean>) | undefined;

  constructor(
    private readonly bus: MemoryBus,
    shared: boolean,
  ) {
    if (shared) this.claimKey = (key) => this.claim(key);
    this.core = new ClusterCore<BusEntry>(
      { encodePublish: (message) => message, encodeControl: (command) => command, send: (entry) => this.relay(entry) },
      { kind: this.kind },
    );
  }

  /** The broker's lifecycle state: `new`, `connected` once started, `closed`. */
  get state(): BrokerState {
    return this.core.state;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: a throw becomes a rejection, as the Broker contract promises
  async start(node: BrokerNode): Promise<void> {
    this.core.attach(node);
    this.member = this.bus.join(node);
    // A simulated outage: the core buffers while `degraded` and flushes on the way back.
    this.member.onLink = (up) => {
      if (this.core.isRunning()) this.core.setState(up ? 'connected' : 'degraded');
    };
    this.core.setState('connected');
  }

  updateLocalCounts(changes: readonly TopicCount[]): void {
    const member = this.member;
    if (!member || !this.core.isRunning()) return;
    const topics: string[] = [];
    for (const { topic, count } of changes) {
      if (count > 0) member.counts.set(topic, count);
      else member.counts.delete(topic);
      topics.push(topic);
    }
    if (topics.length > 0) notifyOthers(this.bus.members, member.node.nodeId, topics);
  }

  /**
   * This node's subscribers first (the core), then every other member with subscribers of the
   * topic. A history publish gets its position here, synchronously, so it travels with it.
   */
  publish(message: BrokerMessage): Promise<void> {
    if (message.history !== undefined && this.core.isRunning()) message.position = this.bus.history.append(message.topic, message.data, message.history);
    return this.core.publish(message);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: a throw becomes a rejection, as the Broker contract promises
  async history(topic: string, query: HistoryQuery): Promise<HistoryRead> {
    this.core.running('history');
    return this.bus.history.read(topic, query);
  }

  control(command: ControlCommand): Promise<void> {
    return this.core.control(command);
  }

  /** The transport: hand an entry to the other members of the bus (whose links are up). */
  private relay(entry: BusEntry): void {
    const self = this.member;
    const selfDelay = self?.delayMs ?? 0;
    if ('kind' in entry) {
      for (const member of [...this.bus.members.values()]) {
        if (member !== self && !member.down) this.hand(member, selfDelay, () => member.node.control(entry));
      }
      return;
    }
    if (entry.idempotencyKey !== undefined && this.claimKey !== undefined) this.bus.keys?.remember(entry.idempotencyKey);
    for (const member of this.bus.members.values()) {
      if (member === self || member.down || !member.counts.has(entry.topic)) continue;
      if (selfDelay + member.delayMs === 0) member.node.deliver(entry);
      else this.hand(member, selfDelay, () => member.node.deliver(entry));
    }
  }

  /** After a simulated slow link, to a member still on the bus and reachable then. */
  private hand(member: BusMember, selfDelay: number, apply: () => void): void {
    const delay = selfDelay + member.delayMs;
    if (delay === 0) return apply();
    setTimeout(() => {
      if (this.bus.members.get(member.node.nodeId) === member && !member.down) apply();
    }, delay);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: a throw becomes a rejection, as the Broker contract promises
  private async claim(key: string): Promise<boolean> {
    this.core.running('claimKey');
    const keys = this.bus.keys;
    if (keys === undefined || keys.has(key)) return keys === undefined;
    keys.remember(key);
    return true;
  }

  updatePresence(updates: readonly PresenceUpdate[]): void {
    const member = this.member;
    if (!member || !this.core.isRunning()) return;
    announcePresence(this.bus.members, this.bus.presence.update(member.node.nodeId, updates));
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: a throw becomes a rejection, as the Broker contract promises
  async presence(topic: string, limit: number): Promise<{ members: PresenceEntry[]; total: number }> {
    this.core.running('presence');
    return this.bus.presence.list(topic, limit);
  }

  count(topic: string): Promise<number> {
    let total = 0;
    for (const member of this.bus.members.values()) total += member.counts.get(topic) ?? 0;
    return Promise.resolve(total);
  }

  topics(): Promise<TopicCount[]> {
    const totals = new Map<string, number>();
    for (const member of this.bus.members.values()) {
      for (const [topic, count] of member.counts) totals.set(topic, (totals.get(topic) ?? 0) + count);
    }
    return Promise.resolve(sortTopics([...totals].map(([topic, count]) => ({ topic, count }))));
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: a throw becomes a rejection, as the Broker contract promises
  async status(): Promise<BrokerStatus> {
    const status = this.core.status();
    status.nodes = [...this.bus.members.values()].map((m) => ({ nodeId: m.node.nodeId, lagMs: 0, topics: m.counts.size }));
    return status;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: a throw becomes a rejection, as the Broker contract promises
  async close(): Promise<void> {
    if (this.core.isClosed()) return;
    this.core.setState('closed');
    if (this.member) this.bus.leave(this.member.node.nodeId);
    this.member = undefined;
  }
}

/**
 * The in-memory broker (the default). Pass a shared bus to join several firetower instances in
 * one process into a cluster.
 *
 * @example
 * const bus = createMemoryBus();
 * app1.use(firetower({ broker: memoryBroker({ bus }) }));
 * app2.use(firetower({ broker: memoryBroker({ bus }) }));
 */
export function memoryBroker(options: MemoryBrokerOptions = {}): Broker {
  return new MemoryBroker(options.bus ?? createMemoryBus(), options.bus !== undefined);
}
