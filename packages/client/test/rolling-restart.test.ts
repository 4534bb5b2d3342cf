/**
 * A rolling restart behind a load balancer: node A of two closes gracefully while 200 clients
 * receive 20 messages a second; its clients reconnect through the balancer and land on node B.
 * With history they recover what was published while they moved: nothing lost, nothing twice.
 * Without it the same run loses messages (the second test shows the test can fail).
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { createMemoryBus, memoryBroker, type FiretowerOptions } from '@firetower/server';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

const servers: TestServer[] = [];
let balancer: Server | undefined;

afterEach(async () => {
  closeClients();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await new Promise<void>((resolve) => (balancer ? balancer.close(() => resolve()) : resolve()));
  balancer = undefined;
});

/** A TCP balancer: each connection goes to the first port that accepts it (A while it is up, then B). */
async function failoverBalancer(ports: readonly number[]): Promise<number> {
  const sockets = new Set<Socket>();
  balancer = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const tryPort = (index: number): void => {
      if (index >= ports.length) return void client.destroy();
      const upstream = tcpConnect(ports[index]!, '127.0.0.1');
      upstream.once('error', () => tryPort(index + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryPort(0);
  });
  balancer.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  await new Promise<void>((resolve) => balancer!.listen(0, '127.0.0.1', resolve));
  return (balancer.address() as AddressInfo).port;
}

/** Runs the restart; returns, per client, how many messages it lost and how many it got twice. */
async function rollingRestart(history: FiretowerOptions['history']): Promise<{ lost: number[]; duplicated: number[] }> {
  const bus = createMemoryBus();
  const options: FiretowerOptions = history === undefined ? {} : { history };
  const nodeA = await startTestServer({ broker: memoryBroker({ bus }), ...options });
  const nodeB = await startTestServer({ broker: memoryBroker({ bus }), ...options });
  servers.push(nodeA, nodeB);
  const port = await failoverBalancer([nodeA.port, nodeB.port]);

  const received: number[][] = [];
  const handles = Array.from({ length: 200 }, (_, i) => {
    const seen: number[] = [];
    received.push(seen);
    const client = testClient(`ws://127.0.0.1:${port}/ws`, { reconnectDelayMinMs: 50, reconnectDelayMaxMs: 500, clientId: `roll-${i}` });
    return client.subscribe('/roll/feed', (data) => void seen.push(data as number));
  });
  await Promise.all(handles.map((handle) => handle.ready));
  expect(nodeA.ft.stats().connections).toBe(200);

  // 20 messages a second from node B, for 4 s; node A leaves after the first second.
  let next = 0;
  const total = 80;
  const publishing = (async () => {
    while (next < total) {
      await nodeB.ft.publish('/roll/feed', next++);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await waitFor(() => next >= 20, 10_000, 'a second of traffic');
  await nodeA.close();
  await waitFor(() => nodeB.ft.stats().connections === 200, 20_000, 'every client on node B');
  await publishing;
  // Each client has the last message once it caught up (with history) or at least saw it live.
  await waitFor(() => received.every((seen) => seen.includes(total - 1)), 20_000, 'every client got the last message');

  const lost = received.map((seen) => total - new Set(seen).size);
  const duplicated = received.map((seen) => seen.length - new Set(seen).size);
  for (const seen of received) {
    // In order: a recovered client sees the stream as it was published.
    if (history !== undefined) expect(seen).toEqual([...seen].sort((x, y) => x - y));
  }
  return { lost, duplicated };
}

test('with history: 0 lost and 0 duplicated for every one of 200 clients moved by a rolling restart', { timeout: 90_000 }, async () => {
  const { lost, duplicated } = await rollingRestart([{ match: '/roll/*', size: 1000 }]);
  expect(lost.reduce((a, b) => a + b, 0)).toBe(0);
  expect(duplicated.reduce((a, b) => a + b, 0)).toBe(0);
});

test('without history the same restart loses messages (what the history test would catch)', { timeout: 90_000 }, async () => {
  const { lost, duplicated } = await rollingRestart(undefined);
  const sorted = [...lost].sort((x, y) => x - y);
  console.info(`rolling restart without history: ${lost.reduce((a, b) => a + b, 0)} lost in all, median ${sorted[100]} per client, max ${sorted[199]}`);
  expect(lost.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  expect(duplicated.reduce((a, b) => a + b, 0)).toBe(0);
});
