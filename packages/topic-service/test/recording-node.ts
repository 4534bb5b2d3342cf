import type { BrokerMessage, BrokerNode, ControlCommand, TopicCount } from '@firetower/server';

/** A real BrokerNode for broker tests: keeps local counts and records what it is handed. */
export class RecordingNode implements BrokerNode {
  readonly delivered: BrokerMessage[] = [];
  readonly commands: ControlCommand[] = [];
  readonly countHints: string[] = [];
  readonly counts = new Map<string, number>();

  constructor(
    readonly nodeId: string,
    readonly dedupeWindowMs = 60_000,
  ) {}

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
    this.countHints.push(...topics);
  }

  /** Change a local count the way a server does: remember it and tell the broker. */
  set(broker: { updateLocalCounts(changes: readonly TopicCount[]): void }, topic: string, count: number): void {
    if (count === 0) this.counts.delete(topic);
    else this.counts.set(topic, count);
    broker.updateLocalCounts([{ topic, count }]);
  }

  dataOf(topic: string): string[] {
    return this.delivered.filter((m) => m.topic === topic).map((m) => m.data);
  }
}
