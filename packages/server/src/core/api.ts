import type { Server } from 'node:http';
import type { FiretowerNode } from './node.js';
import type { FiretowerApi } from '../types.js';

/** The server-side operations; cluster-wide ones go through the broker so every node applies them. */
export function createApi<AppData>(node: FiretowerNode<AppData>, attach: (server: Server) => void): FiretowerApi<AppData> {
  const { broker, hub } = node;
  return {
    nodeId: node.nodeId,
    broker,
    publish: (topic, data, options) => node.publish(topic, data, options),
    sendTo: (clientId, topic, data) => node.direct.sendTo(clientId, topic, data),
    sendToUser: (userId, topic, data) => node.direct.send({ userId }, topic, data),
    count: (topic) => broker.count(topic),
    exists: async (topic) => (await broker.count(topic)) > 0,
    topics: () => broker.topics(),
    onCountChange: (listener) => node.onCountChange(listener),
    kickUser: (userId, reason) => broker.control(reason === undefined ? { kind: 'kickUser', userId } : { kind: 'kickUser', userId, reason }),
    unsubscribeUser: (userId, topic) => broker.control({ kind: 'unsubscribeUser', userId, topic }),
    removeTopic: (topic) => broker.control({ kind: 'removeTopic', topic }),
    history: (topic, options) => node.history(topic, options),
    presence: (topic) => node.presenceOf(topic),
    getTower: (clientId) => hub.get(clientId),
    towers: () => hub.members(),
    stats: () => node.stats.snapshot({ connections: hub.connections, topics: hub.topicCount, subscriptions: hub.subscriptions }),
    recentIssues: () => node.stats.recentIssues(),
    reportError: (error, source) => node.reportError(error, undefined, source),
    attach,
    close: (options) => node.close(options),
  };
}
