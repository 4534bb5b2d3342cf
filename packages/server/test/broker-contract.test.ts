import { createMemoryBus, memoryBroker } from '@firetower/server';
import { describeBrokerContract } from '@firetower/server/testing';

describeBrokerContract('memory (shared bus)', () => ({
  async create(count) {
    const bus = createMemoryBus();
    return Array.from({ length: count }, () => memoryBroker({ bus }));
  },
  async teardown() {},
}));
