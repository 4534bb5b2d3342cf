/**
 * Server-side rendering: `new Firetower(url)` in a process with no `window`, no `location` and no
 * global WebSocket (Node 20, or a renderer that hides them) must not throw. The client is built
 * idle; subscribe and publish only change local state; `connect()` where the page runs connects.
 */
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { WebSocket } from 'ws';
import { Firetower } from '@firetower/client';
import { startTestServer, waitFor, type TestServer } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

function serverSide(): void {
  vi.stubGlobal('window', undefined);
  vi.stubGlobal('document', undefined);
  vi.stubGlobal('location', undefined);
  vi.stubGlobal('WebSocket', undefined);
}
afterEach(() => {
  vi.unstubAllGlobals();
});

test.each(['/ws', 'ws://127.0.0.1:1/ws', 'https://example.com/ws'])('new Firetower(%j) during SSR does not throw and stays idle', async (url) => {
  serverSide();
  let client: Firetower | undefined;
  expect(() => {
    client = new Firetower(url);
  }).not.toThrow();
  expect(client!.state).toBe('idle');
  const handle = client!.subscribe('/ssr/topic', () => {});
  const published = client!.publish('/ssr/topic', 'later');
  expect(client!.topics).toEqual(['/ssr/topic']);
  expect(client!.queuedPublishes).toBe(1);
  expect(() => client!.connect()).toThrow(TypeError);
  expect(client!.state).toBe('idle');
  client!.close();
  expect(client!.state).toBe('closed');
  await expect(published).rejects.toMatchObject({ code: 'closed' });
  await expect(handle.ready).rejects.toMatchObject({ code: 'closed' });
});

test('a relative URL with a WebSocket but no page stays idle too', () => {
  serverSide();
  const client = new Firetower('/ws', { WebSocket });
  expect(client.state).toBe('idle');
  expect(() => client.connect()).toThrow(/needs a page/);
  client.close();
});

test('a URL that can never work still throws at construction', () => {
  serverSide();
  expect(() => new Firetower('http://[::1')).toThrow(TypeError);
});

test('built during SSR, connect() once the page exists connects, resubscribes and sends the queue', async () => {
  serverSide();
  const client = new Firetower<Record<string, string>>('/ws');
  const received: string[] = [];
  client.subscribe('/ssr/hydrated', (data) => received.push(data));
  const queued = client.publish('/ssr/hydrated', 'queued during render');
  // The page arrives: a location to resolve '/ws' against, and a WebSocket.
  vi.stubGlobal('location', { href: `${server.url}/app` });
  vi.stubGlobal('WebSocket', WebSocket);
  try {
    client.connect();
    await client.ready(5_000);
    await queued;
    await waitFor(() => received.length === 1, 5_000, 'the queued publish delivered');
    expect(received).toEqual(['queued during render']);
  } finally {
    client.close();
  }
});
