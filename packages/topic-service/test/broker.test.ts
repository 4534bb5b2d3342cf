import { BrokerOverflowError } from '@firetower/server';
import { describe, expect, it } from 'vitest';
import { RecordingNode, waitFor } from '@firetower/server/testing';
import { topicServiceBroker, type TopicServiceBroker, type TopicServiceBrokerOptions } from '../src/broker/topic-service-broker.js';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';
import { startDroppingProxy, type DroppingProxy } from './dropping-proxy.js';
import { useCleanups } from './helpers.js';

const cleanups = useCleanups();

async function service(port = 0): Promise<RunningTopicService> {
  const s = await startTopicService({ port });
  cleanups.push(() => s.close());
  return s;
}

async function node(url: string, id: string, options: Partial<TopicServiceBrokerOptions> = {}) {
  const broker = topicServiceBroker({ url, pollWaitMs: 2000, backoffMinMs: 20, backoffMaxMs: 200, ...options });
  const local = new RecordingNode(id);
  cleanups.push(() => broker.close());
  await local.start(broker);
  return { broker, local };
}

const serviceCount = (s: RunningTopicService, topic: string) => s.core.count(topic).count;

describe('topicServiceBroker against a real service', () => {
  it('delivers locally at once and to other nodes with subscribers, in order, once', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    const c = await node(s.url, 'c');
    a.local.setCounts({ t: 1 });
    b.local.setCounts({ t: 2 });
    await waitFor(() => serviceCount(s, 't') === 3, 5000, 'counts at the service');
    for (let i = 0; i < 300; i++) await a.broker.publish({ topic: 't', data: String(i) });
    expect(a.local.dataOf('t')).toHaveLength(300); // local delivery is synchronous
    await waitFor(() => b.local.dataOf('t').length === 300, 5000, 'b got all');
    expect(b.local.dataOf('t')).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
    expect(a.local.dataOf('t')).toHaveLength(300); // never echoed back to the origin
    expect(c.local.delivered).toEqual([]);
    expect(s.core.nodeInfos().find((n) => n.nodeId === 'c')!.received).toBe(0);
    expect(await c.broker.count('t')).toBe(3);
    expect(await b.broker.topics()).toEqual([{ topic: 't', count: 3 }]);
  });

  it('count() reads its own writes', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    a.local.setCounts({ x: 4 });
    expect(await a.broker.count('x')).toBe(4);
  });

  it('relays control commands to every node and runs them locally', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    await a.broker.control({ kind: 'kickUser', userId: 'u1', reason: 'bye' });
    expect(a.local.commands).toEqual([{ kind: 'kickUser', userId: 'u1', reason: 'bye' }]);
    await waitFor(() => b.local.commands.length === 1, 5000, 'b got the command');
    expect(b.local.commands).toEqual([{ kind: 'kickUser', userId: 'u1', reason: 'bye' }]);
  });

  it('tells a node when remote subscribers come and go', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    a.local.setCounts({ t: 1 });
    await waitFor(() => serviceCount(s, 't') === 1);
    b.local.setCounts({ t: 1 });
    await waitFor(() => a.local.changedTopics.includes('t'), 5000, 'count hint on a');
  });

  it('a closed node leaves: its counts go at once', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    a.local.setCounts({ t: 2 });
    await waitFor(() => serviceCount(s, 't') === 2);
    await a.broker.close();
    expect(serviceCount(s, 't')).toBe(0);
    expect(s.core.nodeInfos()).toEqual([]);
  });

  it('a poll response lost on the way comes again and is applied once', async () => {
    const s = await service();
    const proxy: DroppingProxy = await startDroppingProxy(s.url);
    cleanups.push(() => proxy.close());
    const a = await node(s.url, 'a');
    const b = await node(proxy.url, 'b');
    b.local.setCounts({ t: 1 });
    await waitFor(() => serviceCount(s, 't') === 1);
    // Destroy the first poll response that carries messages.
    proxy.shouldDrop = (_m, path, body) => path.includes('/poll') && proxy.dropped === 0 && body.includes('"kind":"message"');
    for (let i = 0; i < 20; i++) await a.broker.publish({ topic: 't', data: String(i) });
    await waitFor(() => b.local.dataOf('t').length >= 20, 5000, 'b got all');
    expect(proxy.dropped).toBe(1);
    expect(b.local.dataOf('t')).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    // Nothing more arrives later either.
    await a.broker.publish({ topic: 't', data: '"end"' });
    await waitFor(() => b.local.dataOf('t').length === 21, 5000, 'b got the end marker');
    expect(b.local.dataOf('t').at(-1)).toBe('"end"');
  });

  it('while the service is down: local delivery goes on, publishes buffer, then resync and flush', async () => {
    let s = await service();
    const port = s.port;
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    a.local.setCounts({ t: 1 });
    b.local.setCounts({ t: 1 });
    b.local.setCounts({ gone: 1 });
    await waitFor(() => serviceCount(s, 't') === 2 && serviceCount(s, 'gone') === 1);

    await s.close();
    await a.broker.publish({ topic: 't', data: '"while-down"' });
    expect(a.local.dataOf('t')).toEqual(['"while-down"']);
    await waitFor(async () => !(await a.broker.status()).connected, 5000, 'a notices');
    expect((await a.broker.status()).pendingPublishes).toBe(1);
    // Subscriptions change while the service is away.
    b.local.setCounts({ gone: 0 });
    b.local.setCounts({ new: 3 });

    s = await service(port); // a fresh service: it knows nothing
    await waitFor(() => b.local.dataOf('t').includes('"while-down"'), 10_000, 'buffered publish delivered');
    await waitFor(() => serviceCount(s, 't') === 2 && serviceCount(s, 'new') === 3, 5000, 'counts resynced');
    expect(s.core.topics()).toEqual([
      { topic: 'new', count: 3 },
      { topic: 't', count: 2 },
    ]);
    const status = await a.broker.status();
    expect(status).toMatchObject({ kind: 'topic-service', connected: true, pendingPublishes: 0, droppedPublishes: 0 });
    expect(status.nodes?.map((n) => n.nodeId).sort()).toEqual(['a', 'b']);
  });

  it('rejects publishes with BrokerOverflowError when the buffer is full', async () => {
    const s = await service();
    const a = await node(s.url, 'a', { maxBufferedPublishes: 3 });
    await s.close();
    await waitFor(async () => !(await a.broker.status()).connected, 5000, 'a notices');
    for (let i = 0; i < 3; i++) await a.broker.publish({ topic: 't', data: String(i) });
    await expect(a.broker.publish({ topic: 't', data: '"x"' })).rejects.toBeInstanceOf(BrokerOverflowError);
    expect(await a.broker.status()).toMatchObject({ connected: false, pendingPublishes: 3, droppedPublishes: 1 });
    expect(a.local.dataOf('t')).toEqual(['0', '1', '2']); // the refused one was not delivered anywhere
  });

  it('falls back to local counts while the service is down', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    a.local.setCounts({ t: 2 });
    expect(await a.broker.count('t')).toBe(2);
    await s.close();
    expect(await a.broker.count('t')).toBe(2);
    expect(await a.broker.topics()).toEqual([{ topic: 't', count: 2 }]);
  });
});

export type { TopicServiceBroker };
