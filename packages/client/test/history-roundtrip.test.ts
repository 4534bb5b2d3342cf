/** History recovery against the real server: a connection cut without a close frame loses nothing. */
import { afterEach, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { SubscribedEvent, TopicMessage } from '@firetower/client';
import { createMemoryBus, memoryBroker } from '@firetower/server';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

let server: TestServer | undefined;
const others: TestServer[] = [];

afterEach(async () => {
  closeClients();
  await Promise.all([server, ...others.splice(0)].map((s) => s?.close()));
  server = undefined;
});

test('messages published while the connection was cut are replayed after the reconnect, exactly once and in order', async () => {
  server = await startTestServer({ history: [{ match: '/h/*', size: 100 }] });
  const sockets: WebSocket[] = [];
  class Recorded extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  // A long backoff: the client stays disconnected until connect() says to try now.
  const client = testClient(server.wsUrl, { WebSocket: Recorded, reconnectDelayMinMs: 60_000, reconnectDelayMaxMs: 60_000 });
  const received: TopicMessage[] = [];
  const subscribed: SubscribedEvent[] = [];
  const handle = client.subscribe('/h/1', (_data, message) => received.push(message));
  handle.on('subscribed', (event) => subscribed.push(event));
  await handle.ready;
  await server.ft.publish('/h/1', 'before');
  await waitFor(() => received.length === 1, 5_000, 'the first delivery');

  // No close frame: the TCP connection just ends, as when a network drops.
  sockets.at(-1)!.terminate();
  await waitFor(() => client.state === 'reconnecting', 5_000, 'reconnecting');
  await waitFor(() => server!.ft.getTower(client.clientId) === undefined, 5_000, 'the server to see the connection end');
  const missed = Array.from({ length: 50 }, (_, i) => `missed ${i}`);
  for (const data of missed) await server.ft.publish('/h/1', data);

  client.connect();
  await waitFor(() => received.length === 51, 10_000, 'the replay');
  await server.ft.publish('/h/1', 'after');
  await waitFor(() => received.length === 52, 5_000, 'the live delivery after the replay');

  expect(received.map((m) => m.data)).toEqual(['before', ...missed, 'after']);
  const { epoch } = received[0]!;
  expect(received.map((m) => [m.offset, m.epoch])).toEqual(received.map((_, i) => [i + 1, epoch]));
  expect(subscribed).toEqual([
    { topic: '/h/1', wasRecovering: false, recovered: false },
    { topic: '/h/1', wasRecovering: true, recovered: true },
  ]);
});

test("since: 'last' starts with the newest message, then live ones", async () => {
  server = await startTestServer({ history: [{ match: '/h/*', size: 100 }] });
  for (const data of ['down', 'up']) await server.ft.publish('/h/status', data);
  const client = testClient(server.wsUrl);
  const received: unknown[] = [];
  await client.subscribe('/h/status', (data) => received.push(data), { since: 'last' }).ready;
  await waitFor(() => received.length === 1, 5_000, 'the retained message');
  await server.ft.publish('/h/status', 'down');
  await waitFor(() => received.length === 2, 5_000, 'the live one');
  expect(received).toEqual(['up', 'down']);
});

test('a reconnect that lands on another node of the cluster recovers from the cluster history', async () => {
  const bus = createMemoryBus();
  const history = [{ match: '/h/*', size: 100 }];
  server = await startTestServer({ broker: memoryBroker({ bus }), history });
  const second = await startTestServer({ broker: memoryBroker({ bus }), history });
  others.push(second);
  // A load balancer: the first connection goes to the first node, every later one to the second.
  const sockets: WebSocket[] = [];
  const secondPort = new URL(second.wsUrl).port;
  class Balanced extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      const target = new URL(String(url));
      if (sockets.length > 0) target.port = secondPort;
      super(target, protocols);
      sockets.push(this);
    }
  }
  const client = testClient(server.wsUrl, { WebSocket: Balanced, reconnectDelayMinMs: 60_000, reconnectDelayMaxMs: 60_000 });
  const received: unknown[] = [];
  const subscribed: SubscribedEvent[] = [];
  const handle = client.subscribe('/h/room', (data) => received.push(data));
  handle.on('subscribed', (event) => subscribed.push(event));
  await handle.ready;
  await server.ft.publish('/h/room', 0);
  await waitFor(() => received.length === 1, 5_000, 'the first delivery');

  sockets[0]!.terminate();
  await waitFor(() => client.state === 'reconnecting', 5_000, 'reconnecting');
  for (let i = 1; i <= 10; i++) await (i % 2 === 0 ? server : second).ft.publish('/h/room', i);
  client.connect();
  await waitFor(() => received.length === 11, 10_000, 'the replay on the second node');
  expect(received).toEqual(Array.from({ length: 11 }, (_, i) => i));
  expect(second.ft.getTower(client.clientId)).toBeDefined();
  expect(subscribed.at(-1)).toEqual({ topic: '/h/room', wasRecovering: true, recovered: true });
});

test('publishes that keep coming through the cut, the reconnect and the replay arrive exactly once and in order', async () => {
  server = await startTestServer({ history: [{ match: '/h/*', size: 1_000 }] });
  const sockets: WebSocket[] = [];
  class Recorded extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  const client = testClient(server.wsUrl, { WebSocket: Recorded, reconnectDelayMinMs: 60_000, reconnectDelayMaxMs: 60_000 });
  const received: unknown[] = [];
  const subscribed: SubscribedEvent[] = [];
  const handle = client.subscribe('/h/stream', (data) => received.push(data));
  handle.on('subscribed', (event) => subscribed.push(event));
  await handle.ready;

  // About one publish a millisecond, from the server, all along.
  let published = 0;
  let publishing = true;
  const publisher = (async () => {
    while (publishing) {
      await server!.ft.publish('/h/stream', published++);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  // Awaited below; if an assertion fails first, the closing server's rejection is not an extra error.
  publisher.catch(() => {});
  await waitFor(() => received.length >= 20, 5_000, 'live deliveries');
  sockets.at(-1)!.terminate();
  await waitFor(() => client.state === 'reconnecting', 5_000, 'reconnecting');
  const cutAt = published;
  await waitFor(() => published >= cutAt + 50, 5_000, 'publishes while disconnected');
  client.connect();
  // The replay, then live ones published during and after it.
  await waitFor(() => received.length >= cutAt + 100, 10_000, 'live deliveries after the replay');
  publishing = false;
  await publisher;
  await waitFor(() => received.length === published, 5_000, 'every publish');
  expect(received).toEqual(Array.from({ length: published }, (_, i) => i));
  expect(subscribed.at(-1)).toEqual({ topic: '/h/stream', wasRecovering: true, recovered: true });
});

test('a delivery lost on a live connection is noticed at the next one and recovered in order', async () => {
  server = await startTestServer({ history: [{ match: '/h/*', size: 100 }] });
  let lost = 0;
  /** Loses the first delivery whose data is 'lose me', as a broken path between nodes would. */
  class Lossy extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      let handler: ((event: { data: string }) => void) | null = null;
      this.on('message', (data: Buffer) => {
        const text = data.toString();
        if (lost === 0 && text.includes('"data":"lose me"')) lost++;
        else handler?.({ data: text });
      });
      Object.defineProperty(this, 'onmessage', { get: () => handler, set: (value: typeof handler) => (handler = value) });
    }
  }
  const client = testClient(server.wsUrl, { WebSocket: Lossy });
  const received: unknown[] = [];
  const subscribed: SubscribedEvent[] = [];
  const handle = client.subscribe('/h/gap', (data) => received.push(data));
  handle.on('subscribed', (event) => subscribed.push(event));
  await handle.ready;
  const sent = ['a', 'b', 'lose me', 'c', 'd', 'e'];
  for (const data of sent) await server.ft.publish('/h/gap', data);
  await waitFor(() => received.length === sent.length, 5_000, 'every delivery, the lost one replayed');
  expect(lost).toBe(1);
  expect(received).toEqual(sent);
  expect(subscribed).toEqual([
    { topic: '/h/gap', wasRecovering: false, recovered: false },
    { topic: '/h/gap', wasRecovering: true, recovered: true },
  ]);
  // Still one subscription on the server, and live again.
  expect([...server.ft.getTower(client.clientId)!.topics]).toEqual(['/h/gap']);
  await server.ft.publish('/h/gap', 'f');
  await waitFor(() => received.length === sent.length + 1, 5_000, 'the next live delivery');
});
