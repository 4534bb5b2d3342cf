import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { FiretowerApi, FiretowerStats } from '../types.js';
import type { BrokerStatus } from '../broker/types.js';
import { brokerStatus } from './snapshots.js';

/** One instance's metrics. Its own Registry: two firetower() instances in a process never clash. */
export interface FiretowerMetrics {
  readonly contentType: string;
  /** Reads stats and broker status, then renders the Prometheus text. */
  scrape(): Promise<string>;
}

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter<string> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(registry: Registry, name: string, help: string, labelNames: string[] = []): Gauge<string> {
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

/** Counters mirror monotonic totals kept by the server; a scrape copies them in. */
function setCounter(metric: Counter<string>, value: number, labels?: Record<string, string>): void {
  if (labels) metric.inc(labels, value);
  else metric.inc(value);
}

export function createMetrics(api: FiretowerApi<unknown>): FiretowerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const connections = gauge(registry, 'firetower_connections', 'Open WebSocket connections on this node.');
  const subscriptions = gauge(registry, 'firetower_subscriptions', 'Topic subscriptions held by connections on this node.');
  const topics = gauge(registry, 'firetower_topics', 'Topics with at least one subscriber on this node.');
  const messagesIn = counter(registry, 'firetower_messages_in_total', 'Frames received from clients.');
  const messagesOut = counter(registry, 'firetower_messages_out_total', 'Frames written to client sockets.');
  const bytesOut = counter(registry, 'firetower_bytes_out_total', 'Bytes written to client sockets.');
  const publishes = counter(registry, 'firetower_publishes_total', 'Publishes accepted on this node (clients and API).');
  const drops = counter(registry, 'firetower_drops_total', 'Messages dropped, by reason.', ['reason']);
  const refusals = counter(registry, 'firetower_refusals_total', 'Refusals, by hook or check.', ['hook']);
  const errors = counter(registry, 'firetower_errors_total', 'Hook and broker errors.');
  const brokerUp = gauge(registry, 'firetower_broker_up', '1 when the link to the cluster broker is up.', ['kind']);
  const brokerPending = gauge(registry, 'firetower_broker_pending_publishes', 'Publishes buffered while the broker link is down.');
  const brokerDropped = counter(registry, 'firetower_broker_dropped_publishes_total', 'Publishes dropped by the broker buffer overflow.');
  const brokerNodes = gauge(registry, 'firetower_broker_nodes', 'Cluster nodes the broker knows.');
  const nodeLag = gauge(registry, 'firetower_broker_node_lag_seconds', 'Lag of each cluster node as the broker sees it.', ['node']);

  const copyStats = (stats: FiretowerStats): void => {
    connections.set(stats.connections);
    subscriptions.set(stats.subscriptions);
    topics.set(stats.topics);
    for (const metric of [messagesIn, messagesOut, bytesOut, publishes, drops, refusals, errors]) metric.reset();
    setCounter(messagesIn, stats.messagesInTotal);
    setCounter(messagesOut, stats.messagesOutTotal);
    setCounter(bytesOut, stats.bytesOutTotal);
    setCounter(publishes, stats.publishesTotal);
    setCounter(errors, stats.errorsTotal);
    for (const [reason, n] of Object.entries(stats.dropsTotal)) setCounter(drops, n, { reason });
    for (const [hook, n] of Object.entries(stats.refusalsTotal)) setCounter(refusals, n, { hook });
  };

  const copyBroker = (status: BrokerStatus | undefined): void => {
    brokerUp.reset();
    nodeLag.reset();
    brokerDropped.reset();
    brokerUp.set({ kind: status?.kind ?? api.broker.kind }, status?.connected ? 1 : 0);
    if (!status) return;
    brokerPending.set(status.pendingPublishes);
    setCounter(brokerDropped, status.droppedPublishes);
    brokerNodes.set(status.nodes?.length ?? 1);
    for (const node of status.nodes ?? []) nodeLag.set({ node: node.nodeId }, node.lagMs / 1000);
  };

  return {
    contentType: registry.contentType,
    async scrape() {
      copyStats(api.stats());
      // A broker that cannot answer reads as down rather than failing the whole scrape.
      copyBroker(await brokerStatus(api).catch(() => undefined));
      return registry.metrics();
    },
  };
}
