/**
 * A server's retry hint never removes backoff: a hostile server that closes every connection with
 * 4000 `retry-after=0` must not get a tight reconnect loop.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import type { ReconnectingEvent } from '@firetower/client';
import { closeClients, testClient, waitFor } from './support.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  closeClients();
  for (const wss of servers.splice(0)) {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});

test('4000 retry-after=0 on every connection: attempts stay spaced by at least the minimum delay, and the delays grow', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  let connections = 0;
  wss.on('connection', (ws) => {
    connections++;
    ws.close(4000, 'retry-after=0');
  });
  const { port } = wss.address() as AddressInfo;

  const minMs = 50;
  const client = testClient(`ws://127.0.0.1:${port}/ws`, { reconnectDelayMinMs: minMs, reconnectDelayMaxMs: 2_000 });
  const delays: ReconnectingEvent[] = [];
  client.on('reconnecting', (event) => delays.push(event));
  await waitFor(() => connections >= 1, 5_000, 'the first connection');

  // A bounded window. Timers never fire early, so with every wait at least minMs the window holds
  // at most windowMs / minMs + 1 attempts; without the clamp it held hundreds.
  const windowMs = 1_000;
  const start = connections;
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const attempts = connections - start;
  client.close();

  expect(attempts).toBeGreaterThan(0);
  expect(attempts).toBeLessThanOrEqual(windowMs / minMs + 1);
  expect(delays.length).toBeGreaterThan(1);
  for (const event of delays) {
    expect(event.cause).toBe('retry-after');
    expect(event.delayMs).toBeGreaterThanOrEqual(minMs);
  }
  // The attempt count keeps growing (no stable connection resets it), and with it the jitter window.
  expect(delays.map((d) => d.attempt)).toEqual(delays.map((_, i) => i + 1));
});
