import type { Broker, BrokerMessage, BrokerNode, ControlCommand, TopicCount } from '../broker/types.js';

let sequence = 0;

/** A node id no other test run shares (name, process, a counter and a random tail): for brokers on a shared service or Redis. */
export function uniqueNodeId(name = 'node'): string {
  sequence += 1;
  return `${name}-${process.pid}-${sequence}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A recording `BrokerNode`: the node side of the broker seam without a server, for testing a
 * broker directly. It keeps local subscriber counts the way a server's hub does and records
 * everything its broker hands it: deliveries, control commands, count changes, reported errors.
 *
 * @example
 * const node = new RecordingNode('a');
 * const broker = await node.start(memoryBroker({ bus }));
 * node.setCounts({ room: 1 });
 * await broker.publish({ topic: 'room', data: '1' });
 * expect(node.dataOf('room')).toEqual(['1']);
 */
export class RecordingNode implements BrokerNode {
  /** Every message `deliver` got, in order. */
  readonly delivered: BrokerMessage[] = [];
  /** Every command `control` got, in order. */
  readonly commands: ControlCommand[] = [];
  /** The topics of each `countsChanged` call, a list per call. */
  readonly countChanges: string[][] = [];
  /** Every error the broker reported through `reportError`. */
  readonly errors: unknown[] = [];
  /** The local counts `localCounts()` answers with: `setCounts` keeps them, or seed them directly. */
  readonly counts = new Map<string, number>();
  /** The broker `setCounts` tells of changes: set by `start`, or assign it. */
  broker: Pick<Broker, 'updateLocalCounts'> | undefined;

  constructor(
    readonly nodeId: string = uniqueNodeId(),
    readonly dedupeWindowMs: number = 60_000,
  ) {}

  /** Starts `broker` with this node and keeps it for `setCounts`. */
  async start<B extends Broker>(broker: B): Promise<B> {
    this.broker = broker;
    await broker.start(this);
    return broker;
  }

  deliver(message: BrokerMessage): void {
    this.delivered.push(message);
  }

  control(command: ControlCommand): void {
    this.commands.push(command);
  }

  localCounts(): TopicCount[] {
    return [...this.counts].map(([topic, count]) => ({ topic, count }));
  }

  countsChanged(topics: string[]): void {
    this.countChanges.push(topics);
  }

  reportError(error: unknown): void {
    this.errors.push(error);
  }

  /** Every topic `countsChanged` named, in order. */
  get changedTopics(): string[] {
    return this.countChanges.flat();
  }

  /** Sets local subscriber counts (0 removes) and tells the broker, as a server's hub would. */
  setCounts(changes: Record<string, number>): void {
    const list: TopicCount[] = [];
    for (const [topic, count] of Object.entries(changes)) {
      if (count > 0) this.counts.set(topic, count);
      else this.counts.delete(topic);
      list.push({ topic, count });
    }
    this.broker?.updateLocalCounts(list);
  }

  /** The `data` of every delivery of `topic`, in order. */
  dataOf(topic: string): string[] {
    return this.delivered.filter((m) => m.topic === topic).map((m) => m.data);
  }
}
