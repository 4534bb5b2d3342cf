/**
 * Test helper: a BrokerNode that records what its broker hands it — the node side of the seam
 * without a server, for testing the broker directly.
 */
import type { Broker, BrokerMessage, BrokerNode, ControlCommand, TopicCount } from '@firetower/server';

let sequence = 0;

export class RecordingNode implements BrokerNode {
  readonly nodeId: string;
  readonly dedupeWindowMs: number;
  readonly delivered: BrokerMessage[] = [];
  readonly controls: ControlCommand[] = [];
  readonly countNotices: string[][] = [];
  private readonly counts = new Map<string, number>();
  broker: Broker | undefined;

  constructor(name = 'node', dedupeWindowMs = 60_000) {
    this.dedupeWindowMs = dedupeWindowMs;
    sequence += 1;
    this.nodeId = `${name}-${process.pid}-${sequence}-${Math.random().toString(36).slice(2, 8)}`;
  }

  deliver(message: BrokerMessage): void {
    this.delivered.push(message);
  }

  control(command: ControlCommand): void {
    this.controls.push(command);
  }

  localCounts(): TopicCount[] {
    return [...this.counts].map(([topic, count]) => ({ topic, count }));
  }

  countsChanged(topics: string[]): void {
    this.countNotices.push(topics);
  }

  /** Set local subscriber counts and tell the broker, as a server's hub would. */
  setCounts(changes: Record<string, number>): void {
    const list: TopicCount[] = [];
    for (const [topic, count] of Object.entries(changes)) {
      if (count > 0) this.counts.set(topic, count);
      else this.counts.delete(topic);
      list.push({ topic, count });
    }
    this.broker?.updateLocalCounts(list);
  }

  dataOf(topic: string): string[] {
    return this.delivered.filter((m) => m.topic === topic).map((m) => m.data);
  }
}

/** Wait until `condition` holds (polled), failing with `message` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, message = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
