/**
 * App callbacks are isolated: a subscription handler or an event listener that throws is reported
 * as an `error` event (code `callback`) and never escapes into the socket's receive path (ws's
 * receiver on Node, where it would be an uncaught exception and a stuck connection).
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { Firetower, LocalCloseCode, type CloseEvent, type FiretowerError, type FiretowerState, type WebSocketLike } from '@firetower/client';
import { FakeSocket } from './fake-socket.js';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

let server: TestServer;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  server = await startTestServer();
  process.on('uncaughtException', onUncaught);
});
afterEach(() => closeClients());
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await server.close();
});

test('a throwing handler and a throwing message listener are reported; the next message is delivered and the state stays open', async () => {
  const client = testClient(server.wsUrl);
  const errors: FiretowerError[] = [];
  const states: FiretowerState[] = [];
  client.on('error', (error) => errors.push(error));
  await client.ready(5_000);
  client.on('state', ({ current }) => states.push(current));

  const handled: unknown[] = [];
  const heard: unknown[] = [];
  const bystander: unknown[] = [];
  const throwing = client.subscribe('/iso', (data) => {
    handled.push(data);
    if (data === 'first') throw new Error('handler bug');
  });
  // Another handle on the same topic: its delivery does not depend on the first one's.
  const other = client.subscribe('/iso', (data) => bystander.push(data));
  client.on('message', ({ data }) => {
    heard.push(data);
    if (data === 'first') throw new TypeError('listener bug');
  });
  await Promise.all([throwing.ready, other.ready]);

  await client.publish('/iso', 'first');
  await client.publish('/iso', 'second');
  await waitFor(() => heard.length === 2 && bystander.length === 2, 5_000, 'both deliveries');

  expect(handled).toEqual(['first', 'second']);
  expect(bystander).toEqual(['first', 'second']);
  expect(heard).toEqual(['first', 'second']);
  expect(client.state).toBe('open');
  expect(states).toEqual([]);
  expect(uncaught).toEqual([]);
  expect(errors.map((e) => ({ code: e.code, topic: e.topic, cause: (e.cause as Error).message }))).toEqual([
    { code: 'callback', topic: '/iso', cause: 'handler bug' },
    { code: 'callback', topic: '/iso', cause: 'listener bug' },
  ]);
});

test('a throwing state, open or error listener leaves the state machine consistent', async () => {
  const client = testClient(server.wsUrl, { autoConnect: false });
  const errors: FiretowerError[] = [];
  client.on('state', () => {
    throw new Error('state listener bug');
  });
  client.on('open', () => {
    throw new Error('open listener bug');
  });
  client.on('error', (error) => {
    errors.push(error);
    // An error listener that throws is logged, not re-reported (that would loop).
    throw new Error('error listener bug');
  });
  client.connect();
  await client.ready(5_000);
  expect(client.state).toBe('open');
  await client.subscribe('/iso/state').ready;
  await client.publish('/iso/state', 1);
  expect(errors.map((e) => e.code)).toEqual(['callback', 'callback', 'callback']);
  expect(uncaught).toEqual([]);
  client.close();
  expect(client.state).toBe('closed');
  await waitFor(() => server.ft.getTower(client.clientId) === undefined, 5_000, 'the server to see the close');
});

test("the browser's onmessage never throws either: a bare socket object stands in for the DOM WebSocket", () => {
  let socket: WebSocketLike | undefined;
  class PageSocket extends FakeSocket {
    readyState = 1;
    constructor() {
      super();
      socket = this;
    }
  }
  const client = new Firetower('ws://page.invalid/ws', { WebSocket: PageSocket });
  const errors: FiretowerError[] = [];
  client.on('error', (error) => errors.push(error));
  const seen: unknown[] = [];
  client.subscribe('/page', (data) => {
    seen.push(data);
    throw new Error('page handler bug');
  });
  socket!.onopen!({});
  const deliver = (data: unknown) => socket!.onmessage!({ data: JSON.stringify({ type: 'publish', topic: '/page', data }) });
  expect(() => deliver(1)).not.toThrow();
  expect(() => deliver(2)).not.toThrow();
  expect(seen).toEqual([1, 2]);
  expect(errors.map((e) => [e.code, e.topic])).toEqual([
    ['callback', '/page'],
    ['callback', '/page'],
  ]);
  expect(client.state).toBe('open');
  client.close();
});

test('a shouldReconnect that throws is reported and the client reconnects', async () => {
  const client = testClient(server.wsUrl, {
    shouldReconnect: () => {
      throw new Error('policy bug');
    },
  });
  const errors: FiretowerError[] = [];
  client.on('error', (error) => errors.push(error));
  await client.ready(5_000);
  const reopened = new Promise((resolve) => client.once('open', resolve));
  server.ft.getTower(client.clientId)!.close(4004, 'go');
  await reopened;
  expect(client.state).toBe('open');
  expect(errors.map((e) => [e.code, (e.cause as Error).message])).toEqual([['callback', 'policy bug']]);
  expect(uncaught).toEqual([]);
});

test("the client's own unexpected exception is reported as internal, and it starts over on a new socket (3003)", () => {
  const sockets: FlakySocket[] = [];
  class FlakySocket extends FakeSocket {
    explode = false;
    closedWith: number | undefined;
    constructor() {
      super();
      sockets.push(this);
    }
    // Stands in for a bug deep in the client: the first socket breaks the moment the client uses it.
    get readyState(): number {
      if (this.explode) throw new RangeError('broken socket');
      return 1;
    }
    override close(code?: number): void {
      this.closedWith = code;
    }
  }
  const client = new Firetower('ws://page.invalid/ws', { WebSocket: FlakySocket, reconnectDelayMinMs: 1, reconnectDelayMaxMs: 1 });
  const errors: FiretowerError[] = [];
  const closes: CloseEvent[] = [];
  client.on('error', (error) => errors.push(error));
  client.on('close', (event) => closes.push(event));
  client.subscribe('/page');
  sockets[0]!.explode = true;
  expect(() => sockets[0]!.onopen!({})).not.toThrow();
  expect(errors.map((e) => [e.code, e.serverCode, (e.cause as Error).message])).toEqual([['internal', undefined, 'broken socket']]);
  expect(sockets[0]!.closedWith).toBe(LocalCloseCode.InternalError);
  // It broke while opening, so no 'close' event (that is for connections that were open).
  expect(closes).toEqual([]);
  expect(client.state).toBe('reconnecting');
  client.connect(); // retry now instead of waiting for the backoff timer
  sockets[1]!.onopen!({});
  expect(client.state).toBe('open');
  client.close();
});
