/**
 * Two and three firetower nodes (Express + ws) sharing topics through a real redis-server:
 * browsers' view of a Redis outage, a node partitioned away, a node closed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FiretowerOptions, TopicCount } from '@firetower/server';
import { connect, startServer, type StartedServer, type TestClient, waitFor } from '@firetower/server/testing';
import { type RedisBroker, redisBroker, type RedisBrokerOptions } from '@firetower/redis';
import { RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';
import { TcpProxy } from './tcp-proxy.js';

interface Node {
  server: StartedServer;
  broker: RedisBroker;
  countChanges: TopicCount[];
}

describe.skipIf(!redisServerPath)(`firetower nodes on Redis${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer;
  let run = 0;
  let nodes: Node[] = [];
  let clients: TestClient[] = [];
  let proxies: TcpProxy[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const client of clients) client.ws.terminate();
    clients = [];
    await Promise.all(nodes.map((node) => node.server.close()));
    nodes = [];
    await Promise.all(proxies.map((proxy) => proxy.close()));
    proxies = [];
  });

  async function startNodes(count: number, brokerOptions: RedisBrokerOptions = {}, urls: string[] = []): Promise<Node[]> {
    const keyPrefix = `cluster${++run}:`;
    const started = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const broker = redisBroker({ url: urls[i] ?? redis.url, keyPrefix, maxReconnectDelayMs: 100, ...brokerOptions });
        const countChanges: TopicCount[] = [];
        const options: FiretowerOptions = {
          broker,
          // These tests publish from WebSocket clients.
          publish: 'allow',
          heartbeatIntervalMs: 0,
          countDebounceMs: 10,
          limits: { maxMessagesPerSecond: 1_000_000 },
          maxInboundQueue: 100_000,
          hooks: { onCountChange: (change) => void countChanges.push(change) },
        };
        const server = await startServer(options);
        return { server, broker, countChanges };
      }),
    );
    nodes.push(...started);
    return started;
  }

  const join = async (node: Node): Promise<TestClient> => {
    const client = await connect(node.server.wsUrl);
    clients.push(client);
    return client;
  };
  const subscribe = async (client: TestClient, topics: string[]) => {
    const ack = await client.request({ type: 'subscribe', topic: topics }, 5_000);
    expect(ack.type).toBe('ack');
  };
  /** Every node reports `expected` (a node still reconnecting answers with an error: not yet). */
  const countsSettle = (on: Node[], topic: string, expected: number, timeoutMs = 10_000) =>
    waitFor(
      async () => (await Promise.all(on.map((n) => n.server.ft.count(topic).catch(() => -1)))).every((c) => c === expected),
      timeoutMs,
      `count(${topic}) === ${expected}`,
    );
  const connected = async (node: Node) => (await node.broker.status()).connected;

  it.each([2, 3])('%i nodes: survive a redis-server kill and restart mid-traffic', async (size) => {
    const cluster = await startNodes(size);
    const subscribers = await Promise.all(cluster.map((node) => join(node)));
    for (const client of subscribers) await subscribe(client, ['/room']);
    await countsSettle(cluster, '/room', size);

    const publisher = await join(cluster[0]!);
    for (let i = 0; i < 300; i++) publisher.send({ type: 'publish', topic: '/room', data: { i } });
    await redis.kill();
    for (let i = 300; i < 400; i++) publisher.send({ type: 'publish', topic: '/room', data: { i } });
    await waitFor(async () => !(await Promise.all(cluster.map(connected))).some(Boolean), 5_000, 'every node saw Redis go');

    // The publisher's own node keeps delivering locally while Redis is down.
    await waitFor(() => subscribers[0]!.received.some((f) => f.type === 'publish' && f.data?.i === 399), 5_000, 'local delivery while down');
    // A subscription made while Redis is down is honoured after it returns.
    const late = await join(cluster[size - 1]!);
    await subscribe(late, ['/room', '/late']);

    await redis.spawn();
    for (const node of cluster) await waitFor(() => connected(node), 10_000, 'node reconnected');
    await countsSettle(cluster, '/room', size + 1);
    await countsSettle(cluster, '/late', 1);

    // Delivery resumes everywhere, from any node.
    await cluster[size - 1]!.server.ft.publish('/room', 'after restart');
    for (const client of [...subscribers, late]) {
      await waitFor(() => client.received.some((f) => f.type === 'publish' && f.data === 'after restart'), 5_000, 'delivery after restart');
    }
    // Nothing arrived out of order.
    for (const client of subscribers) {
      const seq = client.received.filter((f) => f.type === 'publish' && typeof f.data?.i === 'number').map((f) => f.data.i as number);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('a node cut off from Redis: its counts vanish after the lease, onCountChange fires, and it rejoins', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const [a, b] = await startNodes(2, { leaseMs: 600 }, [redis.url, proxy.url]);
    await subscribe(await join(a!), ['/lease']);
    for (let i = 0; i < 3; i++) await subscribe(await join(b!), ['/lease']);
    await countsSettle([a!, b!], '/lease', 4);

    proxy.cut();
    await countsSettle([a!], '/lease', 1);
    await waitFor(() => a!.countChanges.some((c) => c.topic === '/lease' && c.count === 1), 5_000, 'onCountChange on a');

    proxy.restore();
    await countsSettle([a!, b!], '/lease', 4);
    await b!.server.ft.publish('/lease', 'b is back');
    await waitFor(() => clients[0]!.received.some((f) => f.type === 'publish' && f.data === 'b is back'), 5_000, 'delivery from b');
  });

  it('a closed node’s counts vanish at once', async () => {
    const [a, b, c] = await startNodes(3);
    for (const node of [a!, b!, c!]) await subscribe(await join(node), ['/bye']);
    await countsSettle([a!, b!, c!], '/bye', 3);
    await c!.server.close();
    await countsSettle([a!, b!], '/bye', 2, 2_000);
    expect(await a!.server.ft.topics()).toEqual([{ topic: '/bye', count: 2 }]);
  });
});
