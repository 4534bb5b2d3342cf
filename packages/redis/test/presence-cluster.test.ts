/**
 * Presence through firetower nodes (Express + ws) sharing a real redis-server: what browsers see
 * when a user has tabs on two nodes, when a node dies without a goodbye, and that Redis holds no
 * presence key once everyone left.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FiretowerOptions } from '@firetower/server';
import { connect, startServer, type StartedServer, type TestClient, type TestFrame, waitFor } from '@firetower/server/testing';
import { redisBroker } from '@firetower/redis';
import { adminClient, RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';
import { TcpProxy } from './tcp-proxy.js';

const LEASE_MS = 600;
const TOPIC = '/room/lobby';

describe.skipIf(!redisServerPath)(`presence across firetower nodes on Redis${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer;
  let run = 0;
  let servers: StartedServer[] = [];
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
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
    await Promise.all(proxies.map((proxy) => proxy.close()));
    proxies = [];
  });

  /** Nodes on one fresh prefix; `urls[i]` puts node i behind a proxy. Returns the prefix too. */
  async function startNodes(count: number, urls: string[] = []): Promise<{ prefix: string; nodes: StartedServer[] }> {
    const prefix = `pc${++run}:`;
    const nodes = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const options: FiretowerOptions = {
          broker: redisBroker({ url: urls[i] ?? redis.url, keyPrefix: prefix, leaseMs: LEASE_MS, maxReconnectDelayMs: 100 }),
          presence: [{ match: '/room/*' }],
          heartbeatIntervalMs: 0,
          hooks: {
            authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined, presence: { name: query.get('name') } }),
          },
        };
        return startServer(options);
      }),
    );
    servers.push(...nodes);
    return { prefix, nodes };
  }

  const join = async (server: StartedServer, user: string, events = false): Promise<TestClient> => {
    const client = await connect(server.wsUrl, { user, name: user.toUpperCase() });
    clients.push(client);
    expect(await client.request({ type: 'subscribe', topic: [TOPIC], ...(events && { presence: true }) }, 5_000)).toMatchObject({ type: 'ack' });
    return client;
  };
  const events = (client: TestClient, type: 'join' | 'leave', id: string): TestFrame[] =>
    client.received.filter((frame) => frame.type === type && (frame.member as { id: string }).id === id);
  const membersOn = async (server: StartedServer): Promise<Record<string, number>> => {
    const list = await server.ft.presence(TOPIC);
    return Object.fromEntries(list.members.map((member) => [member.id, member.connections ?? 0]));
  };
  const presenceKeys = async (prefix: string): Promise<string[]> => {
    const admin = await adminClient(redis.url);
    try {
      return [...(await admin.keys(`${prefix}pres:*`)), ...(await admin.keys(`${prefix}pshare:*`))];
    } finally {
      admin.destroy();
    }
  };

  it('tabs on two nodes are one member: one join, one leave after the last tab, the same list on every node, no key left', async () => {
    const { prefix, nodes } = await startNodes(3);
    const [a, b, c] = nodes as [StartedServer, StartedServer, StartedServer];
    const watcher = await join(c, 'watcher', true);
    const tabA = await join(a, 'ada');
    expect(await watcher.next((frame) => frame.type === 'join' && frame.member.id === 'ada', 5_000)).toEqual({
      type: 'join',
      topic: TOPIC,
      member: { id: 'ada', info: { name: 'ADA' } },
    });
    const tabB = await join(b, 'ada');
    for (const node of nodes) {
      await waitFor(async () => JSON.stringify(await membersOn(node)) === JSON.stringify({ watcher: 1, ada: 2 }), 5_000, 'ada with 2 tabs everywhere');
    }

    await tabA.close();
    await waitFor(async () => (await membersOn(c)).ada === 1, 5_000, 'ada down to one tab');
    await tabB.close();
    await watcher.next((frame) => frame.type === 'leave' && frame.member.id === 'ada', 5_000);
    expect(events(watcher, 'join', 'ada')).toHaveLength(1);
    expect(events(watcher, 'leave', 'ada')).toHaveLength(1);
    for (const node of nodes) await waitFor(async () => JSON.stringify(await membersOn(node)) === '{"watcher":1}', 5_000, 'only the watcher');

    await watcher.close();
    await waitFor(async () => (await presenceKeys(prefix)).length === 0, 5_000, 'no presence key left');
    for (const node of nodes) expect((await node.ft.presence(TOPIC)).total).toBe(0);
  });

  it('a node that dies without a goodbye: its users leave within the lease, a user still on a live node stays', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const { nodes } = await startNodes(2, [redis.url, proxy.url]);
    const [a, doomed] = nodes as [StartedServer, StartedServer];
    const watcher = await join(a, 'watcher', true);
    await join(a, 'ada');
    await join(doomed, 'ada');
    await join(doomed, 'bob');
    await waitFor(async () => JSON.stringify(await membersOn(a)) === JSON.stringify({ watcher: 1, ada: 2, bob: 1 }), 5_000, 'everyone listed');

    // To the cluster the node is gone: no leave script, no heartbeat (its sockets stay open locally).
    proxy.cut();
    const cutAt = Date.now();
    // Within the lease, plus the server's 1 s leave debounce.
    await watcher.next((frame) => frame.type === 'leave' && frame.member.id === 'bob', 4 * LEASE_MS + 1_000);
    const tookMs = Date.now() - cutAt;
    console.log(`presence: bob's leave reached a watcher ${tookMs} ms after his node was cut off (lease ${LEASE_MS} ms, debounce 1000 ms)`);
    expect(await membersOn(a)).toEqual({ watcher: 1, ada: 1 });
    expect(events(watcher, 'leave', 'ada')).toHaveLength(0);
  });
});
