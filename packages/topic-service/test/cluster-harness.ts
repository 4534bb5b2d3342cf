import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { firetower, type FiretowerMiddleware, type FiretowerOptions } from '@firetower/server';
import { topicServiceBroker, type TopicServiceBrokerOptions } from '../src/broker/topic-service-broker.js';

/** A real firetower server on 127.0.0.1:0 whose broker is the topic service at `url`. */
export interface ClusterNode {
  ft: FiretowerMiddleware;
  server: Server;
  wsUrl: string;
  /** System removals seen by the onSystemRemove hook: `${clientId} ${topic}`. */
  systemRemoved: string[];
  close(): Promise<void>;
}

export async function startNode(
  serviceUrl: string,
  brokerOptions: Partial<TopicServiceBrokerOptions> = {},
  options: FiretowerOptions = {},
): Promise<ClusterNode> {
  const systemRemoved: string[] = [];
  const broker = topicServiceBroker({ url: serviceUrl, pollWaitMs: 2000, backoffMinMs: 20, backoffMaxMs: 300, ...brokerOptions });
  const ft = firetower({
    // The cluster tests publish from WebSocket clients.
    publish: 'allow',
    ...options,
    broker,
    hooks: {
      authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined }),
      onSystemRemove: (tower, topic) => {
        systemRemoved.push(`${tower.clientId} ${topic}`);
      },
      ...options.hooks,
    },
  });
  const app = express();
  app.use(ft);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    ft,
    server,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    systemRemoved,
    close() {
      closing ??= (async () => {
        await ft.close().catch(() => undefined);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
