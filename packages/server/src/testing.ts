/**
 * @firetower/server/testing: helpers for tests of firetower itself and of apps and brokers built on it.
 *
 * - `startServer(options)`: express + firetower on 127.0.0.1:0 → `{ url, wsUrl, app, ft, server, close() }`
 * - `connect(wsUrl, query?, options?)`: a raw WebSocket test client (`send`, `next(predicate)`, `request`, `closed`)
 * - `waitFor(condition, timeoutMs, message)`: poll a condition with a deadline (never sleep to synchronise)
 * - `describeBrokerContract(name, () => fixture)`: the Broker contract suite (vitest) every broker must pass
 * - `startLinkProxy(port)`: a TCP proxy that cuts, restores or slows one broker's link (the suite's link faults)
 * - `new RecordingNode(nodeId?)`: a `BrokerNode` that records what its broker hands it (deliveries, commands,
 *   count changes, reported errors) and keeps local counts (`setCounts`), for testing a broker without a server;
 *   `uniqueNodeId(name)` for brokers on a shared service
 *
 * @example
 * import { describeBrokerContract } from '@firetower/server/testing';
 * import { createMemoryBus, memoryBroker } from '@firetower/server';
 * describeBrokerContract('memory', () => ({
 *   async create(count) { const bus = createMemoryBus(); return Array.from({ length: count }, () => memoryBroker({ bus })); },
 *   async teardown() {},
 * }));
 */
export { startServer, type StartedServer, type StartServerOptions } from './testing/server.js';
export { connect, waitFor, UpgradeRefused, type TestClient, type TestFrame, type CloseInfo, type ConnectOptions } from './testing/client.js';
export { describeBrokerContract, type BrokerFixture, type BrokerContractOptions, type LinkFaults, type PublishFaults } from './testing/contract.js';
export { startLinkProxy, type LinkProxy } from './testing/link-proxy.js';
export { RecordingNode, uniqueNodeId } from './testing/recording-node.js';
