import { describeBrokerContract, startLinkProxy, type LinkProxy } from '@firetower/server/testing';
import { topicServiceBroker } from '../src/broker/topic-service-broker.js';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';

// The shared Broker contract, with the service embedded in this process on 127.0.0.1:0; each
// broker reaches it through its own proxy, so a test can cut or slow one node's link.
describeBrokerContract('topic-service', () => {
  let service: RunningTopicService | undefined;
  let proxies: LinkProxy[] = [];
  return {
    async create(count) {
      service = await startTopicService({ port: 0 });
      const port = Number(new URL(service.url).port);
      proxies = await Promise.all(Array.from({ length: count }, () => startLinkProxy(port)));
      return proxies.map((proxy) => topicServiceBroker({ url: `http://127.0.0.1:${proxy.port}`, pollWaitMs: 5000, backoffMinMs: 20, backoffMaxMs: 500 }));
    },
    async teardown() {
      await Promise.all(proxies.map((proxy) => proxy.close()));
      proxies = [];
      await service?.close();
      service = undefined;
    },
    link: (index) => proxies[index]!,
  };
});
