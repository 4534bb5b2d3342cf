import { WebSocket } from 'ws';
import { Firetower, type AnyTopics, type FiretowerOptions } from '@firetower/client';
import type { FiretowerOptions as ServerOptions } from '@firetower/server';
import { startServer, type StartedServer } from '@firetower/server/testing';

export { waitFor } from '@firetower/server/testing';

/** A real Firetower server; close() shuts down gracefully (clients get 4000 `retry-after=0`). */
export type TestServer = StartedServer;

/**
 * A real Firetower server on 127.0.0.1 that takes client publishes (`publish: 'allow'` unless
 * `options` says otherwise), built as `http.createServer(app)` + `ft.attach()`;
 * `port` 0 picks a free one, a number restarts on it (clients reconnect there).
 */
export function startTestServer(options: ServerOptions = {}, port = 0): Promise<TestServer> {
  // Client publishes are opt-in on servers; these tests publish unless they say otherwise.
  return startServer({ publish: 'allow', ...options }, { createServer: true, port });
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
