import { createServer, request, type Server } from 'node:http';
import { listenLocally } from './helpers.js';

/**
 * A real HTTP proxy in front of the service that can destroy chosen responses after the
 * service produced them: the "poll response lost on the way" case.
 */
export interface DroppingProxy {
  url: string;
  /** Responses destroyed so far. */
  dropped: number;
  /** Decide per response; return true to destroy the client socket instead of answering. */
  shouldDrop: (method: string, path: string, body: string) => boolean;
  close(): Promise<void>;
}

export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const upstream = new URL(target);
  const proxy: DroppingProxy = {
    url: '',
    dropped: 0,
    shouldDrop: () => false,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (proxy.shouldDrop(req.method ?? 'GET', req.url ?? '', body)) {
          proxy.dropped += 1;
          res.socket?.destroy();
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.end(body);
      });
    });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  });
  const { url, close } = await listenLocally(server);
  proxy.url = url;
  proxy.close = close;
  return proxy;
}
