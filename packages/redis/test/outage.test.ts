/**
 * Redis going away: a killed and restarted redis-server (every key lost), and one node cut off
 * from Redis (as a crash or a partition looks to the others).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrokerOverflowError } from '@firetower/server';
import { type RedisBroker, redisBroker, type RedisBrokerOptions } from '@firetower/redis';
import { RecordingNode, uniqueNodeId, waitFor } from '@firetower/server/testing';
import { adminClient, RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';
import { TcpProxy } from './tcp-proxy.js';

describe.skipIf(!redisServerPath)(`redis broker outages${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer;
  const open: RedisBroker[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  async function startNode(name: string, options: RedisBrokerOptions): Promise<{ node: RecordingNode; broker: RedisBroker }> {
    const node = new RecordingNode(uniqueNodeId(name));
    const broker = redisBroker({ maxReconnectDelayMs: 100, ...options });
    open.push(broker);
    await node.start(broker);
    return { node, broker };
  }

  const connected = async (broker: RedisBroker) => (await broker.status()).connected;

  it('buffers while Redis is down, overflows as documented, and converges after a restart', async () => {
    const options = { url: redis.url, keyPrefix: 'restart:', maxBufferedPublishes: 50 };
    const a = await startNode('a', options);
    const b = await startNode('b', options);
    const c = await startNode('c', options);
    a.node.setCounts({ room: 2 });
    b.node.setCounts({ room: 1 });
    await waitFor(async () => (await c.broker.count('room')) === 3, 5_000, 'count 3 before');

    let seq = 0;
    const publishMany = (n: number) => Promise.all(Array.from({ length: n }, () => c.broker.publish({ topic: 'room', data: String(seq++) })));
    const numbersAt = (node: RecordingNode) =>
      node
        .dataOf('room')
        .filter((d) => /^\d+$/.test(d))
        .map(Number);
    await publishMany(200);
    // Delivery during an outage is at most once (plain pub/sub), so what a test may count on is
    // what arrived before it: wait for it, then cut Redis.
    await waitFor(() => numbersAt(a.node).length === 200 && numbersAt(b.node).length === 200, 5_000, 'the first 200 delivered');
    await redis.kill();
    await waitFor(async () => !(await connected(c.broker)) && c.broker.brokerState === 'degraded', 5_000, 'c degraded');
    await waitFor(() => a.broker.brokerState === 'degraded' && b.broker.brokerState === 'degraded', 5_000, 'a, b degraded');

    // While Redis is down: publishes are accepted into the bounded buffer, then refused.
    await publishMany(50);
    expect((await c.broker.status()).pendingPublishes).toBe(50);
    const overflow = await c.broker.publish({ topic: 'room', data: '"too many"' }).catch((e: unknown) => e);
    expect(overflow).toBeInstanceOf(BrokerOverflowError);
    expect(overflow).toMatchObject({ code: 'broker_overflow' });
    expect(await c.broker.status()).toMatchObject({ connected: false, pendingPublishes: 50, droppedPublishes: 1 });
    // Counts fall back to this node's own while the cluster's are unknown.
    expect(await a.broker.count('room')).toBe(2);
    expect(await c.broker.count('room')).toBe(0);
    // Local delivery does not wait for Redis.
    await a.broker.publish({ topic: 'room', data: '"local while down"' });
    expect(a.node.dataOf('room')).toContain('"local while down"');
    // Interest changes while down are kept and written after the restart.
    a.node.setCounts({ room: 3, extra: 1 });

    await redis.spawn(); // same port, empty: every count and subscription is gone
    for (const { broker } of [a, b, c]) await waitFor(() => connected(broker), 10_000, 'reconnected');
    await waitFor(async () => (await c.broker.count('room')) === 4, 5_000, 'room count converged');
    expect(await c.broker.topics()).toEqual([
      { topic: 'room', count: 4 },
      { topic: 'extra', count: 1 },
    ]);
    expect((await c.broker.status()).pendingPublishes).toBe(0);
    const admin = await adminClient(redis.url);
    try {
      await waitFor(async () => Number((await admin.pubSubNumSub('restart:t:room'))['restart:t:room']) === 2, 5_000, 'resubscribed');
    } finally {
      admin.destroy();
    }

    // Delivery resumes, and what arrived is in publish order (nothing reordered by the outage).
    await c.broker.publish({ topic: 'room', data: '"after"' });
    await waitFor(() => a.node.dataOf('room').includes('"after"') && b.node.dataOf('room').includes('"after"'), 5_000, 'after');
    for (const { node } of [a, b]) {
      const numbers = numbersAt(node);
      expect(numbers.length).toBeGreaterThanOrEqual(200);
      expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
      expect(new Set(numbers).size).toBe(numbers.length);
    }
  });

  it('a node cut off from Redis loses its counts after the lease, and gets them back on return', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const options = { keyPrefix: 'lease:', leaseMs: 600 };
    const a = await startNode('a', { ...options, url: redis.url });
    const d = await startNode('d', { ...options, url: proxy.url });
    a.node.setCounts({ room: 1 });
    d.node.setCounts({ room: 5, only_d: 2 });
    await waitFor(async () => (await a.broker.count('room')) === 6, 5_000, 'count 6');
    a.node.countChanges.length = 0;

    proxy.cut();
    await waitFor(async () => (await a.broker.count('room')) === 1, 5_000, 'd counts expired');
    expect(await a.broker.topics()).toEqual([{ topic: 'room', count: 1 }]);
    await waitFor(() => a.node.countChanges.some((t) => t.includes('only_d')), 5_000, 'a told d’s topics changed');
    expect((await a.broker.status()).nodes?.map((n) => n.nodeId)).toEqual([a.node.nodeId]);

    proxy.restore();
    await waitFor(async () => (await a.broker.count('room')) === 6, 10_000, 'd counts back');
    expect(await a.broker.count('only_d')).toBe(2);
    d.node.setCounts({ room: 0 });
    await waitFor(async () => (await a.broker.count('room')) === 1, 5_000, 'd left room');
    await d.broker.publish({ topic: 'room', data: '"d is back"' });
    await waitFor(() => a.node.dataOf('room').includes('"d is back"'), 5_000, 'delivery from d');
  });
});
