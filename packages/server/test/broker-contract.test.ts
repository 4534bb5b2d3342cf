import { createMemoryBus, memoryBroker } from '@firetower/server';
import { describeBrokerContract } from '@firetower/server/testing';

describeBrokerContract('memory (shared bus)', () => {
  const bus = createMemoryBus();
  return {
    async create(count) {
      return Array.from({ length: count }, () => memoryBroker({ bus }));
    },
    async teardown() {},
    // The bus's one history store forgets every stream, as a restarted process would.
    async restartHistory() {
      bus.history.clear();
    },
    // The bus simulates a node's link: cut, restored or slowed.
    link(_index, nodeId) {
      const link = bus.link(nodeId);
      if (!link) throw new Error(`node ${nodeId} is not on the bus`);
      return link;
    },
  };
});
