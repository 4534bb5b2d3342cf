/**
 * A single node restarts (its memory history restarts with it: a new epoch). A publish queued by
 * one client reaches the new server before another client has resubscribed; with history that
 * client still gets it, flagged `recovered: false` (`epoch_changed`), never a silent gap.
 */
import { afterEach, expect, test } from 'vitest';
import type { SubscribedEvent } from '@firetower/client';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

const HISTORY = [{ match: '/h/*', size: 100 }];
let server: TestServer | undefined;

afterEach(async () => {
  closeClients();
  await server?.close();
  server = undefined;
});

test('a publish that reaches a restarted node before a subscriber is back arrives for it, flagged epoch_changed', async () => {
  server = await startTestServer({ history: HISTORY });
  const { port } = server;
  // The publisher comes back fast; the subscriber only after a long first backoff.
  const publisher = testClient(server.wsUrl, { reconnectDelayMinMs: 20, reconnectDelayMaxMs: 50 });
  const subscriber = testClient(server.wsUrl, { reconnectDelayMinMs: 1_500, reconnectDelayMaxMs: 1_500 });
  const received: unknown[] = [];
  const subscribed: SubscribedEvent[] = [];
  const handle = subscriber.subscribe('/h/room', (data) => void received.push(data));
  handle.on('subscribed', (event) => subscribed.push(event));
  await handle.ready;
  await publisher.publish('/h/room', 'before');
  await waitFor(() => received.length === 1, 5_000, 'the first message');

  await server.close();
  await waitFor(() => publisher.state !== 'open' && subscriber.state !== 'open', 5_000, 'both clients lost the server');
  // Queued while the server is down; sent as soon as the publisher is back.
  const queued = publisher.publish('/h/room', 'while you were away');
  server = await startTestServer({ history: HISTORY }, port);
  // The subscriber's first retry comes at least 1.5 s after the close (4000: at least
  // reconnectDelayMinMs), the publisher's after 20 ms: the queued publish is first.
  await queued;

  await waitFor(() => received.length === 2, 10_000, 'the queued message reaches the late subscriber');
  expect(received).toEqual(['before', 'while you were away']);
  expect(subscribed.at(-1)).toEqual({ topic: '/h/room', wasRecovering: true, recovered: false, reason: 'epoch_changed' });
});
