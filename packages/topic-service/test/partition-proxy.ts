import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy that can partition the link by DROPPING packets: while `partitioned`, bytes in
 * either direction are discarded and nothing is closed or reset, exactly what a vanished host or
 * a firewall that lost its state looks like to a client (no error, no FIN: only silence). New
 * connections are accepted and then stay silent too. After `heal()` bytes flow again; exchanges
 * that lost bytes meanwhile stay broken, so only a client-side timeout gets the client out.
 */
export interface PartitionProxy {
  url: string;
  partitioned: boolean;
  /** Bytes discarded so far. */
  droppedBytes: number;
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startPartitionProxy(target: string): Promise<PartitionProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: PartitionProxy = {
    url: '',
    partitioned: false,
    droppedBytes: 0,
    partition: () => {
      proxy.partitioned = true;
    },
    heal: () => {
      proxy.partitioned = false;
    },
    close: async () => {},
  };
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (proxy.partitioned) proxy.droppedBytes += chunk.length;
      else to.write(chunk);
    });
  };
  const server: Server = createServer((client) => {
    const up = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    pipe(client, up);
    pipe(up, client);
    // An end from either side is passed on only while the link is up (a partition drops FINs too).
    client.on('end', () => (proxy.partitioned ? undefined : up.end()));
    up.on('end', () => (proxy.partitioned ? undefined : client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
