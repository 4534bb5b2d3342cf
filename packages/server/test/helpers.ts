import { afterEach, expect } from 'vitest';
import type { FiretowerOptions } from '@firetower/server';
import { connect, startServer, type ConnectOptions, type StartedServer, type StartServerOptions, type TestClient } from '@firetower/server/testing';

/** Servers and clients a test file starts, closed after each test. */
export function useServers() {
  let servers: StartedServer[] = [];
  let clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients) client.ws.terminate();
    clients = [];
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  /**
   * A server for a test. Client publishes are allowed unless the test says otherwise: most tests
   * here exercise publishing; the opt-in default itself is tested in auth-lifecycle.test.ts.
   */
  async function start(options?: FiretowerOptions, startOptions?: StartServerOptions): Promise<StartedServer> {
    const server = await startServer({ publish: 'allow', ...options }, startOptions);
    servers.push(server);
    return server;
  }

  /** Connects to any WebSocket URL, for servers a test builds itself (custom mount paths, several instances). */
  async function joinUrl(wsUrl: string, query?: Record<string, string>, options?: ConnectOptions): Promise<TestClient> {
    const client = await connect(wsUrl, query, options);
    clients.push(client);
    return client;
  }

  async function join(server: StartedServer, query?: Record<string, string>, options?: ConnectOptions): Promise<TestClient> {
    return joinUrl(server.wsUrl, query, options);
  }

  /** A client already subscribed to `topics`; fails the test unless the subscribe is acked. */
  async function subscribed(server: StartedServer, topics: string[], query?: Record<string, string>): Promise<TestClient> {
    const client = await join(server, query);
    expect(await client.request({ type: 'subscribe', topic: topics })).toMatchObject({ type: 'ack' });
    return client;
  }

  return { start, join, joinUrl, subscribed };
}
