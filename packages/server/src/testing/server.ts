import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { firetower } from '../index.js';
import type { FiretowerMiddleware } from '../http/middleware.js';
import type { FiretowerOptions } from '../types.js';

export interface StartedServer<AppData = Record<string, unknown>> {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl: string;
  port: number;
  app: Express;
  ft: FiretowerMiddleware<AppData>;
  server: Server;
  /** Graceful ft.close() (no batch pause), then the HTTP server closes. Idempotent. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Called with the app before firetower is mounted (add routes, middleware). */
  setup?(app: Express): void;
  /** Use `http.createServer(app)` + `ft.attach(server)` instead of `app.listen()`. */
  createServer?: boolean;
  /** Listen on this port (e.g. to restart a server where clients will reconnect). @default 0 (a free one) */
  port?: number;
}

/** An Express app with firetower mounted, listening on 127.0.0.1 on a free port. */
export async function startServer<AppData = Record<string, unknown>>(
  options: FiretowerOptions<AppData> = {},
  start: StartServerOptions = {},
): Promise<StartedServer<AppData>> {
  const app = express();
  start.setup?.(app);
  const ft = firetower<AppData>(options);
  app.use(ft);
  let server: Server;
  if (start.createServer) {
    const http = await import('node:http');
    server = http.createServer(app);
    ft.attach(server);
    server.listen(start.port ?? 0, '127.0.0.1');
  } else {
    server = app.listen(start.port ?? 0, '127.0.0.1');
  }
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}${options.path ?? '/ws'}`,
    port,
    app,
    ft,
    server,
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
