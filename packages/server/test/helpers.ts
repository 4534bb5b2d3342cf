import { afterEach } from 'vitest';
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
  return {
    async start(options?: FiretowerOptions, startOptions?: StartServerOptions): Promise<StartedServer> {
      const server = await startServer(options, startOptions);
      servers.push(server);
      return server;
    },
    async join(server: StartedServer, query?: Record<string, string>, options?: ConnectOptions): Promise<TestClient> {
      const client = await connect(server.wsUrl, query, options);
      clients.push(client);
      return client;
    },
  };
}
