import { CloseCode, createMemoryBus, memoryBroker } from '@firetower/server';
import { startServer } from '@firetower/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcServer, type GrpcServer } from '../src/index.js';
import { createTestClient, type TestClient } from './client.js';
import { nextDelivery, nodeOptions, subscriber, TOKEN, waitFor, type Node } from './fixture.js';

// Two firetower nodes sharing an in-process bus: the gRPC door is on node A only, the browsers
// are on node B. Everything must still reach them, as it does through the HTTP API.
let nodeA: Node;
let nodeB: Node;
let grpcA: GrpcServer;
let client: TestClient;

beforeAll(async () => {
  const bus = createMemoryBus();
  nodeA = await startServer(nodeOptions({ broker: memoryBroker({ bus }) }));
  nodeB = await startServer(nodeOptions({ broker: memoryBroker({ bus }) }));
  // An hour: with memory brokers WatchTopic must not poll at all, node B's changes reach it
  // through ft.onCountChange (BrokerNode.countsChanged).
  grpcA = await createGrpcServer(nodeA.ft, { port: 0, token: TOKEN, watchIntervalMs: 3_600_000 });
  client = createTestClient(grpcA.address, TOKEN);
});
afterAll(async () => {
  client.close();
  await grpcA.close();
  await Promise.all([nodeA.close(), nodeB.close()]);
});

describe('gRPC on node A, WebSocket subscribers on node B', () => {
  it('Publish, PublishBatch and PublishStream reach a subscriber on the other node', async () => {
    const ws = await subscriber(nodeB, ['/c/room']);
    await client.unary('Publish', { topic: '/c/room', dataJson: '{"via":"publish"}' });
    expect(await nextDelivery(ws, '/c/room')).toEqual({ via: 'publish' });
    await client.unary('PublishBatch', { messages: [{ topic: '/c/room', dataText: 'batch' }] });
    expect(await nextDelivery(ws, '/c/room')).toBe('batch');
    const { stream, reply } = client.clientStream('PublishStream');
    for (let i = 0; i < 100; i += 1) stream.write({ topic: '/c/room', dataJson: String(i) });
    stream.end();
    expect(await reply).toMatchObject({ accepted: 100, rejected: 0 });
    for (let i = 0; i < 100; i += 1) expect(await nextDelivery(ws, '/c/room')).toBe(i);
    await ws.close();
  });

  it('GetTopic and WatchTopic see the cluster-wide count', async () => {
    const watch = client.serverStream('WatchTopic', { topic: '/c/count' });
    const counts: number[] = [];
    watch.on('data', (reply: { count: number }) => counts.push(reply.count));
    watch.on('error', () => {});
    const onB = await subscriber(nodeB, ['/c/count']);
    const onA = await subscriber(nodeA, ['/c/count']);
    await waitFor(() => counts.at(-1) === 2, 5000, 'watch sees 2');
    expect(await client.unary('GetTopic', { topic: '/c/count' })).toEqual({ topic: '/c/count', count: 2, exists: true });
    await onB.close();
    await waitFor(() => counts.at(-1) === 1, 5000, 'watch sees the subscriber on B leave');
    watch.cancel();
    await onA.close();
  });

  it('KickUser reaches the user on the other node', async () => {
    const ann = await subscriber(nodeB, ['/c/kick'], { user: 'ann' });
    await client.unary('KickUser', { userId: 'ann' });
    expect((await ann.closed).code).toBe(CloseCode.Kicked);
  });
});
