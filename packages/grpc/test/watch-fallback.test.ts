import { createMemoryBus, memoryBroker, type Broker } from '@firetower/server';
import { startServer } from '@firetower/server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrpcServer, type GrpcServer } from '../src/index.js';
import { fallbackPollFor } from '../src/watch.js';
import { createTestClient, type TestClient } from './client.js';
import { nodeOptions, subscriber, TOKEN, waitFor, type Node } from './fixture.js';

/**
 * A real memory broker that, like the topic-service broker for topics without local
 * subscribers, never tells its node about count changes on other nodes.
 */
function deafBroker(inner: Broker): Broker {
  return {
    kind: 'deaf-memory',
    start: (node) =>
      inner.start({
        nodeId: node.nodeId,
        dedupeWindowMs: node.dedupeWindowMs,
        deliver: (m) => node.deliver(m),
        control: (c) => node.control(c),
        localCounts: () => node.localCounts(),
      }),
    updateLocalCounts: (changes) => inner.updateLocalCounts(changes),
    publish: (message) => inner.publish(message),
    control: (command) => inner.control(command),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
  };
}

let started: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const thing of started.reverse()) await thing.close();
  started = [];
});

async function twoNodes(brokerA: (bus: ReturnType<typeof createMemoryBus>) => Broker, watchIntervalMs: number): Promise<{ nodeB: Node; client: TestClient }> {
  const bus = createMemoryBus();
  const nodeA = await startServer(nodeOptions({ broker: brokerA(bus), countDebounceMs: 10 }));
  const nodeB = await startServer(nodeOptions({ broker: memoryBroker({ bus }), countDebounceMs: 10 }));
  const grpc: GrpcServer = await createGrpcServer(nodeA.ft, { port: 0, token: TOKEN, watchIntervalMs });
  const client = createTestClient(grpc.address, TOKEN);
  started.push(nodeA, nodeB, grpc, { close: () => client.close() });
  return { nodeB, client };
}

function watchCounts(client: TestClient, topic: string): { counts: number[]; cancel(): void } {
  const watch = client.serverStream('WatchTopic', { topic });
  const counts: number[] = [];
  watch.on('data', (reply: { count: number }) => counts.push(reply.count));
  watch.on('error', () => {});
  return { counts, cancel: () => watch.cancel() };
}

describe('WatchTopic change sources', () => {
  it('polls only for brokers that do not declare they tell every node about every count change', () => {
    expect(fallbackPollFor(memoryBroker(), 1000)).toBeUndefined();
    expect(fallbackPollFor({ capabilities: { reportsEveryCountChange: true } }, 1000)).toBeUndefined(); // redis
    expect(fallbackPollFor({ capabilities: { reportsEveryCountChange: false } }, 1000)).toBe(1000); // topic-service
    expect(fallbackPollFor(deafBroker(memoryBroker()), 1000)).toBe(1000); // declares nothing
  });

  it('follows counts on another node through ft.onCountChange, without polling (memory)', async () => {
    const { nodeB, client } = await twoNodes((bus) => memoryBroker({ bus }), 3_600_000);
    const watch = watchCounts(client, '/f/heard');
    await waitFor(() => watch.counts.length === 1, 5000, 'first count');
    const ws = await subscriber(nodeB, ['/f/heard']);
    await waitFor(() => watch.counts.at(-1) === 1, 5000, 'count 1 from node B');
    await ws.close();
    await waitFor(() => watch.counts.at(-1) === 0, 5000, 'count 0 from node B');
    expect(watch.counts).toEqual([0, 1, 0]);
    watch.cancel();
  });

  it('falls back to re-reading the count when the broker does not report remote changes', async () => {
    const { nodeB, client } = await twoNodes((bus) => deafBroker(memoryBroker({ bus })), 20);
    const watch = watchCounts(client, '/f/deaf');
    await waitFor(() => watch.counts.length === 1, 5000, 'first count');
    const ws = await subscriber(nodeB, ['/f/deaf']);
    await waitFor(() => watch.counts.at(-1) === 1, 5000, 'count 1 by re-reading');
    await ws.close();
    await waitFor(() => watch.counts.at(-1) === 0, 5000, 'count 0 by re-reading');
    watch.cancel();
  });
});
