import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between one node's broker and its shared service (a topic service,
 * Redis), for the contract suite's link faults: `cut()` drops every connection and refuses new
 * ones (a crashed peer or a reset link, seen at once), `restore()` lets them through again, and
 * `slow(ms)` holds every chunk for `ms` in both directions, in order (a congested link).
 */
export interface LinkProxy {
  /** The proxy's port: point the broker at `127.0.0.1:<port>` instead of the service. */
  readonly port: number;
  cut(): void;
  restore(): void;
  slow(ms: number): void;
  close(): Promise<void>;
}

export async function startLinkProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<LinkProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  let delayMs = 0;

  const pipe = (from: Socket, to: Socket) => {
    // Chunks leave in arrival order: each waits for its own delay after the one before it.
    let last = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      if (delayMs <= 0) {
        to.write(chunk);
        return;
      }
      const due = Date.now() + delayMs;
      last = last.then(
        () =>
          new Promise<void>((resolve) => {
            setTimeout(() => {
              if (!to.destroyed) to.write(chunk);
              resolve();
            }, due - Date.now());
          }),
      );
    });
  };

  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('link proxy: no port');

  return {
    port: address.port,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      cut = false;
    },
    slow(ms) {
      delayMs = ms;
    },
    async close() {
      cut = true;
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
