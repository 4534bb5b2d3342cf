import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';
import { startNode, type ClusterNode } from './cluster-harness.js';
import { useCleanups } from './helpers.js';
import { connectClient, type RawClient } from './ws-client.js';

const cleanups = useCleanups();

async function cluster(size: number): Promise<{ service: RunningTopicService; nodes: ClusterNode[] }> {
  const service = await startTopicService({ port: 0 });
  cleanups.push(() => service.close());
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < size; i++) {
    const node = await startNode(service.url);
    cleanups.push(() => node.close());
    nodes.push(node);
  }
  return { service, nodes };
}

async function client(node: ClusterNode, user?: string): Promise<RawClient> {
  const c = await connectClient(user ? `${node.wsUrl}?user=${user}` : node.wsUrl);
  cleanups.push(() => c.close());
  return c;
}

const received = (service: RunningTopicService, node: ClusterNode) => service.core.nodeInfos().find((n) => n.nodeId === node.ft.nodeId)?.received;

describe('two firetower nodes through the topic service', () => {
  it('a client on A receives what a client on B publishes, in order; counts and existence are cluster-wide', async () => {
    const { nodes } = await cluster(2);
    const [a, b] = nodes as [ClusterNode, ClusterNode];
    const onA = await client(a);
    await onA.subscribe(['/chat/world']);
    const onB = await client(b);
    await onB.subscribe(['/chat/world']);
    await waitFor(async () => (await b.ft.count('/chat/world')) === 2, 5000, 'count 2 on b');
    expect(await a.ft.count('/chat/world')).toBe(2);
    expect(await a.ft.exists('/chat/world')).toBe(true);
    expect(await a.ft.exists('/chat/nothing')).toBe(false);
    expect(await b.ft.topics()).toEqual([{ topic: '/chat/world', count: 2 }]);

    for (let i = 0; i < 50; i++) onB.send({ type: 'publish', topic: '/chat/world', data: { i } });
    await waitFor(() => onA.received('/chat/world').length === 50, 5000, 'A got all 50');
    expect(onA.received('/chat/world')).toEqual(Array.from({ length: 50 }, (_, i) => ({ i })));
    await waitFor(() => onB.received('/chat/world').length === 50, 5000, 'B (local) got all 50');
    expect(onB.received('/chat/world')).toEqual(Array.from({ length: 50 }, (_, i) => ({ i })));

    onA.close();
    await waitFor(async () => (await b.ft.count('/chat/world')) === 1, 5000, 'count back to 1');
  });

  it('server-side publish from A reaches B; a node without subscribers receives none of it', async () => {
    const { service, nodes } = await cluster(3);
    const [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
    const onB = await client(b);
    await onB.subscribe(['/news']);
    const onC = await client(c);
    await onC.subscribe(['/other']);
    await waitFor(() => service.core.count('/news').count === 1, 5000, '/news known');
    for (let i = 0; i < 20; i++) await a.ft.publish('/news', { i });
    await waitFor(() => onB.received('/news').length === 20, 5000, 'B got all');
    expect(onB.received('/news')).toEqual(Array.from({ length: 20 }, (_, i) => ({ i })));
    expect(received(service, b)).toBe(20);
    expect(received(service, c)).toBe(0);
    expect(onC.received('/news')).toEqual([]);
  });

  it('kick and removeTopic reach the other nodes', async () => {
    const { nodes } = await cluster(3);
    const [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
    const annOnB = await client(b, 'ann');
    const annOnC = await client(c, 'ann');
    const bob = await client(c, 'bob');
    await bob.subscribe(['/room']);
    const carl = await client(b, 'carl');
    await carl.subscribe(['/room', '/keep']);
    await waitFor(async () => (await a.ft.count('/room')) === 2, 5000, '/room count 2');

    await a.ft.kickUser('ann', 'bye');
    const [closedB, closedC] = await Promise.all([annOnB.closed, annOnC.closed]);
    expect(closedB.code).toBe(closedC.code);
    expect(closedB.code).toBeGreaterThanOrEqual(4000);
    expect(bob.ws.readyState).toBe(bob.ws.OPEN);

    await a.ft.removeTopic('/room');
    await waitFor(async () => (await a.ft.count('/room')) === 0, 5000, '/room emptied everywhere');
    expect(b.systemRemoved).toEqual([expect.stringMatching(/ \/room$/)]);
    expect(c.systemRemoved).toEqual([expect.stringMatching(/ \/room$/)]);
    expect(await a.ft.count('/keep')).toBe(1);
    // Nothing on /room reaches its former subscribers any more.
    await a.ft.publish('/keep', 'marker');
    await a.ft.publish('/room', 'late');
    await carl.next((f) => f.type === 'publish' && f.topic === '/keep');
    expect(carl.received('/room')).toEqual([]);
  });

  it('unsubscribeUser reaches the other nodes', async () => {
    const { nodes } = await cluster(2);
    const [a, b] = nodes as [ClusterNode, ClusterNode];
    const dan = await client(b, 'dan');
    await dan.subscribe(['/x', '/y']);
    await waitFor(async () => (await a.ft.count('/x')) === 1, 5000, '/x count');
    await a.ft.unsubscribeUser('dan', '/x');
    await waitFor(async () => (await a.ft.count('/x')) === 0, 5000, 'dan left /x');
    expect(await a.ft.count('/y')).toBe(1);
  });
});
