/** Reconnecting against the real server: restarts, lost acks, the watchdog, no-retry codes, bursts. */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { LocalCloseCode, type CloseEvent, type FiretowerState } from '@firetower/client';
import { createMemoryBus, memoryBroker, type FiretowerHooks as ServerHooks } from '@firetower/server';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

const servers: TestServer[] = [];
async function server(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const started = await startTestServer(...args);
  servers.push(started);
  return started;
}

afterEach(async () => {
  closeClients();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * Hooks that accept the first 'lose the ack' publish the way the server would (same idempotency
 * key), then cut the connection before the ack can leave: the client only knows it never got an
 * answer, and re-sends.
 */
function loseFirstAck(): { hooks: ServerHooks; readonly dropped: boolean } {
  let dropped = false;
  return {
    get dropped() {
      return dropped;
    },
    hooks: {
      onMessage: async (tower, message) => {
        if (dropped || message.data !== 'lose the ack') return undefined;
        dropped = true;
        await tower.publish(message.topic, message.data, { idempotencyKey: `${tower.clientId}:${message.id}` });
        tower.close(4004, 'lost ack');
        return false;
      },
    },
  };
}

const topicsOn = (s: TestServer, clientId: string): string[] => [...(s.ft.getTower(clientId)?.topics ?? [])].sort();

describe('reconnect', () => {
  test('a server restart on the same port: resubscribe, then the queued publishes exactly once and in order', async () => {
    const first = await server();
    const client = testClient(first.wsUrl);
    const received: unknown[] = [];
    await client.subscribe('/room', (data) => received.push(data)).ready;
    await client.publish('/room', 'before');
    await waitFor(() => received.length === 1, 5_000, 'the first delivery');

    const closes: CloseEvent[] = [];
    client.on('close', (event) => closes.push(event));
    await first.close();
    await waitFor(() => client.state === 'reconnecting', 5_000, 'reconnecting');
    expect(closes[0]).toMatchObject({ code: 4000, reason: 'retry-after=0', willReconnect: true });

    const queued = Array.from({ length: 5 }, (_, i) => client.publish('/room', `queued ${i}`));
    expect(client.queuedPublishes).toBe(5);
    const second = await server({}, first.port);
    const reopened = new Promise((resolve) => client.once('open', resolve));
    await expect(Promise.all(queued)).resolves.toHaveLength(5);
    expect(await reopened).toMatchObject({ clientId: client.clientId, reconnected: true });
    await waitFor(() => received.length === 6, 5_000, 'the queued deliveries');
    expect(received).toEqual(['before', 'queued 0', 'queued 1', 'queued 2', 'queued 3', 'queued 4']);
    expect(topicsOn(second, client.clientId)).toEqual(['/room']);
    // One more round trip: nothing else was in the pipe.
    await client.publish('/room', 'after');
    await waitFor(() => received.length === 7, 5_000, 'the last delivery');
    expect(received.at(-1)).toBe('after');
  });

  test('a publish whose ack was lost is re-sent with its id and delivered once', async () => {
    const lost = loseFirstAck();
    const s = await server({ hooks: lost.hooks });
    const publisher = testClient(s.wsUrl);
    const listener = testClient(s.wsUrl);
    const received: unknown[] = [];
    await listener.subscribe('/once', (data) => received.push(data)).ready;
    const result = await publisher.publish('/once', 'lose the ack');
    expect(lost.dropped).toBe(true);
    expect(result.duplicate).toBe(true);
    await listener.publish('/once', 'marker');
    await waitFor(() => received.includes('marker'), 5_000, 'the marker');
    expect(received).toEqual(['lose the ack', 'marker']);
  });

  test('a publish whose ack was lost is re-sent to another node of the cluster and delivered once', async () => {
    const bus = createMemoryBus();
    const lost = loseFirstAck();
    const first = await server({ broker: memoryBroker({ bus }), hooks: lost.hooks });
    const second = await server({ broker: memoryBroker({ bus }) });
    // A load balancer: the first connection goes to the first node, every later one to the second.
    let connections = 0;
    const secondPort = new URL(second.wsUrl).port;
    class Balanced extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        const target = new URL(String(url));
        if (connections++ > 0) target.port = secondPort;
        super(target, protocols);
      }
    }
    const publisher = testClient(first.wsUrl, { WebSocket: Balanced });
    const listener = testClient(second.wsUrl);
    const received: unknown[] = [];
    await listener.subscribe('/once', (data) => received.push(data)).ready;
    await waitFor(async () => (await first.ft.count('/once')) === 1, 5_000, 'the subscription seen from the first node');
    const result = await publisher.publish('/once', 'lose the ack');
    expect(lost.dropped).toBe(true);
    expect(connections).toBe(2);
    expect(second.ft.getTower(publisher.clientId!)).toBeDefined();
    expect(result.duplicate).toBe(true);
    await publisher.publish('/once', 'marker');
    await waitFor(() => received.includes('marker'), 5_000, 'the marker');
    expect(received).toEqual(['lose the ack', 'marker']);
  });

  test('the watchdog reconnects when a server stops sending', async () => {
    // A raw ws server that accepts and never sends a frame.
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => silent.once('listening', resolve));
    let connections = 0;
    silent.on('connection', () => connections++);
    try {
      const { port } = silent.address() as AddressInfo;
      const client = testClient(`ws://127.0.0.1:${port}/ws`, { heartbeatTimeoutMs: 300 });
      const closes: CloseEvent[] = [];
      client.on('close', (event) => closes.push(event));
      await waitFor(() => connections >= 2, 10_000, 'a second connection');
      expect(closes[0]).toMatchObject({ code: LocalCloseCode.HeartbeatTimeout, willReconnect: true });
    } finally {
      closeClients();
      for (const ws of silent.clients) ws.terminate();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('the watchdog fires on a firetower server without heartbeats', async () => {
    const quiet = await server({ heartbeatIntervalMs: 0 });
    const client = testClient(quiet.wsUrl, { heartbeatTimeoutMs: 400 });
    const closes: CloseEvent[] = [];
    client.on('close', (event) => closes.push(event));
    await waitFor(() => closes.length > 0, 10_000, 'the watchdog');
    expect(closes[0]).toMatchObject({ code: LocalCloseCode.HeartbeatTimeout });
    await client.ready(5_000);
  });

  test('a kick (4501) stops reconnecting', async () => {
    let attempts = 0;
    const s = await server({
      hooks: {
        authenticate: ({ query }) => {
          if (query.get('user') === 'ann') attempts++;
          return { userId: query.get('user') ?? undefined };
        },
      },
    });
    const client = testClient(`${s.wsUrl}?user=ann`, { reconnectDelayMinMs: 1, reconnectDelayMaxMs: 1 });
    const states: FiretowerState[] = [];
    client.on('state', ({ current }) => states.push(current));
    const closed = new Promise<CloseEvent>((resolve) => client.once('close', resolve));
    await client.ready(5_000);
    await s.ft.kickUser('ann', 'bye');
    expect(await closed).toMatchObject({ code: 4501, willReconnect: false });
    expect(client.state).toBe('closed');
    // Long enough for a 1 ms retry to have connected many times over.
    const other = testClient(s.wsUrl);
    await other.subscribe('/x').ready;
    await other.publish('/x', 1);
    expect(attempts).toBe(1);
    expect(states).toEqual(['open', 'closed']);
    await expect(client.publish('/x', 2)).rejects.toMatchObject({ code: 'closed', closeCode: undefined });
  });

  test('close() during reconnecting stops it; connect() starts again', async () => {
    const first = await server();
    const client = testClient(first.wsUrl);
    await client.ready(5_000);
    const port = first.port;
    await first.close();
    await waitFor(() => client.state === 'reconnecting', 5_000, 'reconnecting');
    client.close();
    expect(client.state).toBe('closed');
    const second = await server({}, port);
    client.connect();
    await client.ready(5_000);
    expect(second.ft.getTower(client.clientId)).toBeDefined();
  });

  test('a burst of subscribe/unsubscribe while reconnecting ends in exactly the right topic set', async () => {
    const first = await server();
    const client = testClient(first.wsUrl);
    const keep = client.subscribe('/keep');
    const drop = client.subscribe('/drop');
    const shared = [client.subscribe('/shared'), client.subscribe('/shared')];
    await Promise.all([keep.ready, drop.ready, ...shared.map((s) => s.ready)]);
    expect(topicsOn(first, client.clientId)).toEqual(['/drop', '/keep', '/shared']);

    await first.close();
    await waitFor(() => client.state === 'reconnecting', 5_000, 'reconnecting');
    drop.unsubscribe();
    shared[0]!.unsubscribe();
    const added = Array.from({ length: 100 }, (_, i) => client.subscribe(`/burst/${i}`));
    for (const sub of added.filter((_, i) => i % 2 === 1)) sub.unsubscribe();
    client.subscribe('/flip').unsubscribe();
    const flop = client.subscribe('/flop');
    client.subscribe('/flop').unsubscribe();

    const second = await server({}, first.port);
    const expected = ['/flop', '/keep', '/shared', ...added.filter((_, i) => i % 2 === 0).map((s) => s.topics[0]!)].sort();
    await Promise.all([flop.ready, ...added.filter((_, i) => i % 2 === 0).map((s) => s.ready)]);
    expect(client.topics.sort()).toEqual(expected);
    expect(topicsOn(second, client.clientId)).toEqual(expected);

    // And a burst while connected lands on the same set.
    keep.unsubscribe();
    const again = client.subscribe('/keep');
    shared[1]!.unsubscribe();
    await again.ready;
    await client.publish('/keep', 'sync');
    expect(topicsOn(second, client.clientId)).toEqual(expected.filter((t) => t !== '/shared'));
  });
});
