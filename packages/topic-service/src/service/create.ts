import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Router } from 'express';
import { TopicServiceConfigError } from '../errors.js';
import { DEFAULT_TOPIC_SERVICE_PORT, isFetchBlockedPort } from '../ports.js';
import { TopicServiceCore, type TopicServiceLimits } from './core.js';
import type { ServiceErrorReporter } from './guard.js';
import { createTopicServiceRouter } from './http.js';

export interface TopicServiceOptions extends Partial<TopicServiceLimits> {
  /** Shared secret: every endpoint then requires `Authorization: Bearer <token>`. @default undefined (open) */
  token?: string;
  /** Largest request body in bytes. @default 8388608 (8 MiB) */
  maxBodyBytes?: number;
  /**
   * Told about every unexpected error (a bug) and where it happened: the request it hit is
   * answered `500 internal`, the process and every other request carry on. @default a debug log
   */
  onError?: ServiceErrorReporter;
}

export interface TopicService {
  /** An Express app serving the API at its root; mount it or listen with it. */
  readonly app: Express;
  /** The same API as a router, to mount inside an existing app (`app.use('/topics', router)`). */
  readonly router: Router;
  /** The service without HTTP (registry, nodes, outboxes), for status and tests. */
  readonly core: TopicServiceCore;
  /** Answer held polls with 503, stop the lease timer, drop all state. */
  close(): Promise<void>;
}

/**
 * An embeddable topic service.
 * @example
 * const service = createTopicService({ token: process.env.TOKEN });
 * app.use('/topic-service', service.router); // nodes use url: 'http://host:port/topic-service'
 */
export function createTopicService(options: TopicServiceOptions = {}): TopicService {
  const { token, maxBodyBytes, onError, ...limits } = options;
  const core = new TopicServiceCore(limits, onError);
  const router = createTopicServiceRouter(core, { token, maxBodyBytes });
  const app = express();
  app.disable('x-powered-by');
  app.use(router);
  return {
    app,
    router,
    core,
    // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: a throw from core.close() becomes a rejection
    async close() {
      core.close();
    },
  };
}

export interface StartTopicServiceOptions extends TopicServiceOptions {
  /** Port to listen on; 0 picks a free one. @default 7070 (`DEFAULT_TOPIC_SERVICE_PORT`, a port `fetch` accepts) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

export interface RunningTopicService extends TopicService {
  readonly server: Server;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** `http://host:port`, what a broker's `url` option wants. */
  readonly url: string;
}

/** Create a service and listen. Resolves once it accepts connections. */
export async function startTopicService(options: StartTopicServiceOptions = {}): Promise<RunningTopicService> {
  const { port = DEFAULT_TOPIC_SERVICE_PORT, host = '127.0.0.1', ...rest } = options;
  if (isFetchBlockedPort(port)) {
    throw new TopicServiceConfigError('bad_port', `port ${port} is on the Fetch standard's blocked-port list: brokers (fetch) could never reach it`);
  }
  const service = createTopicService(rest);
  const server = createServer(service.app);
  // Held polls last up to maxWaitMs; keep-alive must outlive the gap between two polls.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    ...service,
    server,
    port: bound,
    url: `http://${urlHost}:${bound}`,
    async close() {
      await service.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
