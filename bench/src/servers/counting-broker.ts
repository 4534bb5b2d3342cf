/**
 * Wraps a cluster broker to count what it hands this node from the cluster, and how much of that
 * is on topics this node has no subscriber of: the topic service promises that number is 0.
 * A delivery made synchronously inside this node's own publish() is the broker's local
 * short-circuit, not traffic from the service, and is counted apart.
 */
import type { Broker, BrokerMessage, BrokerNode, HistoryQuery, TopicCount } from '@firetower/server';

export interface DeliveryCounts {
  /** Messages from the cluster (service or Redis). */
  deliveries: number;
  /** ... of which on topics without a local subscriber at the time. */
  foreignDeliveries: number;
  /** This node's own publishes handed straight back by the broker. */
  localDeliveries: number;
}

export function countingBroker(inner: Broker): { broker: Broker; counts: DeliveryCounts } {
  const counts: DeliveryCounts = { deliveries: 0, foreignDeliveries: 0, localDeliveries: 0 };
  let publishing = 0;
  // The node reports its local counts through updateLocalCounts; mirror them here.
  const localCounts = new Map<string, number>();
  const broker: Broker = {
    get kind() {
      return inner.kind;
    },
    // Optional members pass through as the inner broker has them: the node checks for history()
    // (a history target's node refuses to start without it) and reads the capabilities.
    ...(inner.capabilities !== undefined ? { capabilities: inner.capabilities } : {}),
    start(node: BrokerNode) {
      const counted: BrokerNode = {
        get nodeId() {
          return node.nodeId;
        },
        get dedupeWindowMs() {
          return node.dedupeWindowMs;
        },
        deliver(message: BrokerMessage) {
          if (publishing > 0) counts.localDeliveries++;
          else {
            counts.deliveries++;
            if ((localCounts.get(message.topic) ?? 0) === 0) counts.foreignDeliveries++;
          }
          node.deliver(message);
        },
        control: (command) => node.control(command),
        localCounts: () => node.localCounts(),
        ...(node.countsChanged ? { countsChanged: (topics: string[]) => node.countsChanged!(topics) } : {}),
        ...(node.reportError ? { reportError: (error: unknown) => node.reportError!(error) } : {}),
      };
      return inner.start(counted);
    },
    updateLocalCounts(changes: readonly TopicCount[]) {
      for (const { topic, count } of changes) localCounts.set(topic, count);
      inner.updateLocalCounts(changes);
    },
    publish(message) {
      publishing++;
      try {
        return inner.publish(message);
      } finally {
        publishing--;
      }
    },
    control: (command) => inner.control(command),
    ...(inner.claimKey ? { claimKey: (key: string) => inner.claimKey!(key) } : {}),
    ...(inner.history ? { history: (topic: string, query: HistoryQuery) => inner.history!(topic, query) } : {}),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
  };
  return { broker, counts };
}
