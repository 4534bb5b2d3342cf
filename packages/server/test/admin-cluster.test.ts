import { expect, test } from 'vitest';
import { waitFor, type StartedServer, type TestClient } from '@firetower/server/testing';
import { createMemoryBus, memoryBroker, type MemoryBus } from '@firetower/server';
import { useServers } from './helpers.js';

// Two nodes sharing one memory bus: the admin API on either node must act on the whole cluster.
const TOKEN = 'cluster-token';
const JSON_AUTH = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

const servers = useServers();

function node(bus: MemoryBus): Promise<StartedServer> {
  return servers.start({
    broker: memoryBroker({ bus }),
    admin: { token: TOKEN },
    hooks: { authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined }) },
  });
}

function subscriber(server: StartedServer, topics: string[], user?: string): Promise<TestClient> {
  return servers.subscribed(server, topics, user ? { user } : {});
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(server: StartedServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/firetower${path}`, { method, headers: JSON_AUTH, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test('publish, counts, kick and remove through one node act on the whole cluster', async () => {
  const bus = createMemoryBus();
  const a = await node(bus);
  const b = await node(bus);
  const onA = await subscriber(a, ['/room'], 'alice');
  const onB = await subscriber(b, ['/room'], 'bob');
  await waitFor(async () => (await call(a, 'GET', `/api/topics/${encodeURIComponent('/room')}`)).body.count === 2, 5000, 'cluster count 2 on a');
  expect((await call(b, 'GET', '/api/topics')).body).toEqual({ topics: [{ topic: '/room', count: 2 }], total: 1 });

  expect((await call(a, 'POST', '/api/publish', { topic: '/room', data: 'to everyone' })).status).toBe(202);
  expect((await onA.nextDelivery('/room')).data).toBe('to everyone');
  expect((await onB.nextDelivery('/room')).data).toBe('to everyone');

  // connections are per node: each node describes its own.
  expect((await call(a, 'GET', '/api/connections')).body).toMatchObject({ nodeId: a.ft.nodeId, connections: 1, users: 1 });

  expect((await call(a, 'POST', '/api/users/bob/kick', { reason: 'cluster kick' })).status).toBe(200);
  expect(await onB.closed).toEqual({ code: 4501, reason: 'cluster kick' });

  expect((await call(b, 'DELETE', `/api/topics/${encodeURIComponent('/room')}`)).status).toBe(200);
  await waitFor(async () => (await call(a, 'GET', '/api/topics')).body.total === 0, 5000, 'topic removed cluster-wide');
});

test('the stats feed and metrics list the cluster nodes with their lag', async () => {
  const bus = createMemoryBus();
  const a = await node(bus);
  const b = await node(bus);
  const feed = await call(a, 'GET', '/api/stats');
  const ids = feed.body.broker.nodes.map((n: { nodeId: string }) => n.nodeId).sort();
  expect(ids).toEqual([a.ft.nodeId, b.ft.nodeId].sort());
  const text = await (await fetch(`${a.url}/firetower/metrics`, { headers: JSON_AUTH })).text();
  expect(text).toContain('firetower_broker_nodes 2');
  for (const id of ids) expect(text).toContain(`firetower_broker_node_lag_seconds{node="${id}"} 0`);
});
