import { describeBrokerContract } from '@firetower/server/testing';
import { topicServiceBroker } from '../src/broker/topic-service-broker.js';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';

// The shared Broker contract, with the service embedded in this process on 127.0.0.1:0.
describeBrokerContract('topic-service', () => {
  let service: RunningTopicService | undefined;
  return {
    async create(count) {
      service = await startTopicService({ port: 0 });
      const url = service.url;
      return Array.from({ length: count }, () => topicServiceBroker({ url, pollWaitMs: 5000, backoffMinMs: 20, backoffMaxMs: 500 }));
    },
    async teardown() {
      await service?.close();
      service = undefined;
    },
  };
});
