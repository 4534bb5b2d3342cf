import type { BrokerStatus, TopicCount } from '../broker/types.js';
import type { FiretowerApi, FiretowerStats, RecentIssue } from '../types.js';
import { withDeadline } from '../core/settle.js';

/** A slow or dead cluster link must not hang an admin request or a scrape. */
export const BROKER_STATUS_TIMEOUT_MS = 2000;

export interface ConnectionsSummary {
  nodeId: string;
  /** Connections on this node (connections live on one node; topics are cluster-wide). */
  connections: number;
  /** Distinct userIds among them. */
  users: number;
  /** Connections without a userId. */
  anonymous: number;
  /** Topic memberships of these connections. */
  subscriptions: number;
  /** Unix ms of the longest-lived connection, null when there is none. */
  oldestConnectedAt: number | null;
}

export interface StatsFeed {
  nodeId: string;
  /** Server time, Unix ms: the dashboard derives rates from the totals' deltas over it. */
  time: number;
  stats: FiretowerStats;
  connections: ConnectionsSummary;
  topics: TopicCount[];
  topicsTotal: number;
  broker: BrokerStatus | { kind: string; connected: false; error: string };
  /** Newest first. */
  recentIssues: RecentIssue[];
}

export function byCountThenName(a: TopicCount, b: TopicCount): number {
  return b.count - a.count || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0);
}

export async function sortedTopics(api: FiretowerApi<unknown>): Promise<TopicCount[]> {
  const topics = await api.topics();
  return topics.filter((t) => t.count > 0).sort(byCountThenName);
}

export function connectionsSummary(api: FiretowerApi<unknown>): ConnectionsSummary {
  const users = new Set<string>();
  let connections = 0;
  let anonymous = 0;
  let subscriptions = 0;
  let oldest: number | null = null;
  for (const tower of api.towers()) {
    if (tower.state !== 'open') continue;
    connections += 1;
    subscriptions += tower.topics.size;
    if (tower.userId === undefined) anonymous += 1;
    else users.add(tower.userId);
    if (oldest === null || tower.connectedAt < oldest) oldest = tower.connectedAt;
  }
  return { nodeId: api.nodeId, connections, users: users.size, anonymous, subscriptions, oldestConnectedAt: oldest };
}

export function brokerStatus(api: FiretowerApi<unknown>): Promise<BrokerStatus> {
  return withDeadline(() => api.broker.status(), BROKER_STATUS_TIMEOUT_MS, 'broker status timed out');
}

export async function statsFeed(api: FiretowerApi<unknown>, topicLimit: number): Promise<StatsFeed> {
  const [topics, broker] = await Promise.all([
    sortedTopics(api),
    brokerStatus(api).catch((err: unknown) => ({
      kind: api.broker.kind,
      connected: false as const,
      error: err instanceof Error ? err.message : String(err),
    })),
  ]);
  return {
    nodeId: api.nodeId,
    time: Date.now(),
    stats: api.stats(),
    connections: connectionsSummary(api),
    topics: topics.slice(0, topicLimit),
    topicsTotal: topics.length,
    broker,
    recentIssues: api.recentIssues().slice(-50).reverse(),
  };
}
