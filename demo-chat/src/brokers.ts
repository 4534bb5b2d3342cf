/**
 * Which broker a node uses: the topic service (embedded or standalone) by default, Redis when
 * asked. Kept apart so main.ts, cluster.ts and the browser tests choose the same way.
 */
import { startTopicService, topicServiceBroker } from '@firetower/topic-service';
import type { RunningTopicService } from '@firetower/topic-service';
import type { Broker } from '@firetower/server';

export type BrokerChoice = { kind: 'topic-service'; url: string; token?: string } | { kind: 'redis'; url: string } | { kind: 'memory' };

/**
 * A fresh broker per node: brokers hold one node's link and cannot be shared. Redis is loaded
 * only when chosen, so the demo runs without it.
 */
export async function brokerFor(choice: BrokerChoice): Promise<Broker | undefined> {
  switch (choice.kind) {
    case 'topic-service':
      return topicServiceBroker(choice.token ? { url: choice.url, token: choice.token } : { url: choice.url });
    case 'redis': {
      const { redisBroker } = await import('@firetower/redis');
      return redisBroker({ url: choice.url });
    }
    case 'memory':
      return undefined; // the server's default memory broker
  }
}

/** A topic service in this process, on a loopback port of its own. @default port 0 */
export function startLocalTopicService(port = 0, host = '127.0.0.1'): Promise<RunningTopicService> {
  return startTopicService({ port, host });
}
