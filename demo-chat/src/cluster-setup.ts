/**
 * Two chat nodes sharing topics through a topic service (started here unless one is given) or
 * Redis: what `pnpm demo:cluster` runs, and what the cluster browser test starts on port 0.
 */
import type { RunningTopicService } from '@firetower/topic-service';
import { brokerFor, startLocalTopicService } from './brokers.js';
import type { BrokerChoice } from './brokers.js';
import { createChatServer } from './chat-server.js';
import type { ChatServer, ChatServerOptions } from './chat-server.js';

export interface ChatClusterOptions {
  /** Node A's port; node B takes the next one. 0 gives both a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Port of the topic service started here. @default 0 */
  topicPort?: number;
  /** Use this topic service instead of starting one. */
  topicServiceUrl?: string;
  /** The shared secret of the topic service at `topicServiceUrl`, if it has one. */
  topicServiceToken?: string;
  /** Use Redis instead of a topic service. */
  redisUrl?: string;
  /** Passed to both nodes. */
  node?: Pick<ChatServerOptions, 'adminToken' | 'rules'>;
  /**
   * Serve the gRPC push API on node A only (needs `node.adminToken`): one door is enough, a
   * publish through it reaches subscribers on both nodes. @default off
   */
  grpcPort?: number;
}

export interface ChatCluster {
  readonly nodes: readonly [ChatServer, ChatServer];
  /** What the nodes share: the topic service's URL, or the Redis URL. */
  readonly via: string;
  /** The topic service started here, if any. */
  readonly topicService: RunningTopicService | undefined;
  /** Stops both nodes, then the topic service. */
  close(): Promise<void>;
}

export async function startChatCluster(options: ChatClusterOptions = {}): Promise<ChatCluster> {
  const host = options.host ?? '127.0.0.1';
  let topicService: RunningTopicService | undefined;
  let choice: Exclude<BrokerChoice, { kind: 'memory' }>;
  if (options.redisUrl) choice = { kind: 'redis', url: options.redisUrl };
  else if (options.topicServiceUrl) {
    choice = { kind: 'topic-service', url: options.topicServiceUrl };
    if (options.topicServiceToken) choice.token = options.topicServiceToken;
  } else {
    topicService = await startLocalTopicService(options.topicPort ?? 0);
    choice = { kind: 'topic-service', url: topicService.url };
  }

  const started: ChatServer[] = [];
  try {
    const basePort = options.port ?? 0;
    for (const [index, name] of ['node A', 'node B'].entries()) {
      const broker = await brokerFor(choice);
      started.push(
        await createChatServer({
          ...options.node,
          port: basePort === 0 ? 0 : basePort + index,
          host,
          nodeName: name,
          ...(broker ? { broker } : {}),
          ...(index === 0 && options.grpcPort !== undefined ? { grpcPort: options.grpcPort } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(started.map((node) => node.close()));
    await topicService?.close();
    throw error;
  }

  const [a, b] = started as [ChatServer, ChatServer];
  return {
    nodes: [a, b],
    via: choice.url,
    topicService,
    async close() {
      await Promise.allSettled([a.close(), b.close()]);
      await topicService?.close();
    },
  };
}
