/**
 * A TCP proxy on 127.0.0.1:0 that counts the bytes it forwarded to the server: what the server's
 * socket actually received, whatever the client tried to send.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface CountingProxy {
  /** `127.0.0.1:port`, a gRPC target. */
  readonly address: string;
  /** Bytes forwarded from clients to the upstream server so far. */
  readonly upstreamBytes: number;
  close(): Promise<void>;
}

export async function countingProxy(upstreamPort: number): Promise<CountingProxy> {
  let upstreamBytes = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      upstreamBytes += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    get upstreamBytes() {
      return upstreamBytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
