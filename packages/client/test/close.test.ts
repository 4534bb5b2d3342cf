/**
 * `client.close(code, reason)` never reports `closed` while the socket stays open on the server: a
 * code the WebSocket API refuses is sent as 1000, a reason over 123 UTF-8 bytes is cut on a
 * character boundary.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import type { CloseEvent } from '@firetower/client';
import { closeCodeFor, closeReasonFor } from '../src/close-frame.js';
import { closeSocket, type WebSocketLike } from '../src/socket.js';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe('closeCodeFor / closeReasonFor', () => {
  test('codes the WebSocket API refuses become 1000', () => {
    for (const code of [1005, 1006, 999, 0, -1, 1001, 1011, 2999, 5000, 65_535, Number.NaN, 1000.5, Infinity]) expect(closeCodeFor(code)).toBe(1000);
    for (const code of [1000, 3000, 3999, 4000, 4999]) expect(closeCodeFor(code)).toBe(code);
    expect(closeCodeFor('4000')).toBe(1000);
  });

  test('a reason is cut to 123 UTF-8 bytes on a character boundary', () => {
    expect(closeReasonFor('x'.repeat(200))).toBe('x'.repeat(123));
    // 4-byte characters: 30 of them make 120 bytes; the 31st would pass 123.
    expect(closeReasonFor('😀'.repeat(40))).toBe('😀'.repeat(30));
    // 3-byte characters: 41 make exactly 123.
    expect(closeReasonFor('€'.repeat(50))).toBe('€'.repeat(41));
    expect(bytes(closeReasonFor('a€😀é'.repeat(40)))).toBeLessThanOrEqual(123);
    // A lone surrogate counts as the 3 bytes of the U+FFFD it is sent as.
    expect(closeReasonFor('\ud800'.repeat(50))).toBe('\ud800'.repeat(41));
    expect(closeReasonFor(undefined)).toBe('');
    expect(closeReasonFor('short')).toBe('short');
  });
});

test('a close() that throws anyway falls back to terminate(), so the connection cannot outlive the client', () => {
  const calls: string[] = [];
  const socket = {
    readyState: 1,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send() {},
    close() {
      calls.push('close');
      throw new TypeError('refused');
    },
    terminate() {
      calls.push('terminate');
    },
  } satisfies WebSocketLike & { terminate(): void };
  const failures: unknown[] = [];
  closeSocket(socket, 1000, '', (error) => failures.push(error));
  expect(calls).toEqual(['close', 'terminate']);
  expect(failures).toHaveLength(1);
});

describe('against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeClients());
  afterAll(async () => server.close());

  test.each([
    [1005, 'x'.repeat(200)],
    [999, 'bye'],
    [1006, ''],
    [2999, '😀'.repeat(40)],
    [5000, 'é'.repeat(100)],
  ])('close(%i, …) reports closed only with the connection gone on the server', async (code, reason) => {
    const client = testClient(server.wsUrl);
    await client.subscribe('/close/me').ready;
    expect(server.ft.getTower(client.clientId)).toBeDefined();
    const closes: CloseEvent[] = [];
    client.on('close', (event) => closes.push(event));
    client.close(code, reason);
    expect(client.state).toBe('closed');
    expect(closes).toHaveLength(1);
    expect(closes[0]!.code).toBe(1000);
    expect(bytes(closes[0]!.reason)).toBeLessThanOrEqual(123);
    await waitFor(() => server.ft.getTower(client.clientId) === undefined, 5_000, 'the server to drop the connection');
    expect(await server.ft.count('/close/me')).toBe(0);
  });

  test('the server receives the mapped code and the cut reason', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    try {
      const received: Array<{ code: number; reason: string }> = [];
      wss.on('connection', (ws) => ws.on('close', (code, reason) => received.push({ code, reason: reason.toString() })));
      const { port } = wss.address() as AddressInfo;
      const url = `ws://127.0.0.1:${port}/ws`;

      const first = testClient(url, { heartbeatTimeoutMs: 0 });
      await first.ready(5_000);
      first.close(1005, '😀'.repeat(40));
      await waitFor(() => received.length === 1, 5_000, 'the first close frame');
      expect(received[0]).toEqual({ code: 1000, reason: '😀'.repeat(30) });

      const second = testClient(url, { heartbeatTimeoutMs: 0 });
      await second.ready(5_000);
      second.close(4321, 'fine');
      await waitFor(() => received.length === 2, 5_000, 'the second close frame');
      expect(received[1]).toEqual({ code: 4321, reason: 'fine' });
    } finally {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});
