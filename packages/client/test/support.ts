import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { Firetower, type AnyTopics, type FiretowerOptions } from '@firetower/client';
import { firetower, type FiretowerMiddleware, type FiretowerOptions as ServerOptions } from '@firetower/server';

export interface TestServer {
  ft: FiretowerMiddleware;
  port: number;
  wsUrl: string;
  /** Graceful shutdown (clients get 4000 `retry-after=0`), then the port is released. */
  close(): Promise<void>;
}

/** A real Firetower server on 127.0.0.1; `port` 0 picks a free one, a number restarts on it. */
export async function startTestServer(options: ServerOptions = {}, port = 0): Promise<TestServer> {
  const ft = firetower(options);
  const server = http.createServer(ft);
  ft.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    ft,
    port: actual,
    wsUrl: `ws://127.0.0.1:${actual}${options.path ?? '/ws'}`,
    close() {
      closing ??= (async () => {
        await ft.close({ batchIntervalMs: 0, maxRetryAfterMs: 0 });
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** Polls `condition` until it holds; fails with `message` after `timeoutMs`. Never a fixed sleep. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, message = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const clients: Array<Firetower<object>> = [];

/** A client on ws with fast reconnects; closed by `closeClients()` after each test. */
export function testClient<TM extends object = AnyTopics>(url: string, options: FiretowerOptions = {}): Firetower<TM> {
  const client = new Firetower<TM>(url, {
    WebSocket,
    reconnectDelayMinMs: 20,
    reconnectDelayMaxMs: 200,
    ...options,
  });
  clients.push(client);
  return client;
}

export function closeClients(): void {
  for (const client of clients.splice(0)) client.close();
}
