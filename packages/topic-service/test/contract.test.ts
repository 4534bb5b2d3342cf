import { describeBrokerContract, startLinkProxy, waitFor, type LinkProxy } from '@firetower/server/testing';
import { topicServiceBroker, type TopicServiceBroker } from '../src/broker/topic-service-broker.js';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';

// The shared Broker contract, with the service embedded in this process on 127.0.0.1:0; each
// broker reaches it through its own proxy, so a test can cut or slow one node's link.
describeBrokerContract('topic-service', () => {
  let service: RunningTopicService | undefined;
  let proxies: LinkProxy[] = [];
  let brokers: TopicServiceBroker[] = [];
  return {
    async create(count) {
      service = await startTopicService({ port: 0 });
      const port = Number(new URL(service.url).port);
      proxies = await Promise.all(Array.from({ length: count }, () => startLinkProxy(port)));
      brokers = proxies.map((proxy) => topicServiceBroker({ url: `http://127.0.0.1:${proxy.port}`, pollWaitMs: 5000, backoffMinMs: 20, backoffMaxMs: 500 }));
      return brokers;
    },
    // A service restart on the same port: every stream is lost. Back once every node re-registered
    // (with its counts); then the restart grace, which waits for exactly that, is ended.
    async restartHistory() {
      const port = service!.port;
      await service!.close();
      service = await startTopicService({ port });
      await waitFor(
        () => brokers.every((broker) => broker.state === 'connected') && service!.core.nodeInfos().length === brokers.length,
        10_000,
        'every node back',
      );
      service.core.endGrace();
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
