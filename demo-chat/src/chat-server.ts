/**
 * One chat node: an Express app serving the page, with Firetower mounted on it.
 * `main.ts` and `cluster.ts` start these; the browser tests start them on port 0.
 */
import { once } from 'node:events';
import { hostname, networkInterfaces } from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Express } from 'express';
import { createGrpcServer } from '@firetower/grpc';
import type { GrpcServer } from '@firetower/grpc';
import { firetower } from '@firetower/server';
import type { Broker, FiretowerApi, FiretowerOptions, ShutdownOptions } from '@firetower/server';
import { chatHooks } from './hooks.js';
import { DEFAULT_RULES, ROOM_PREFIX, SCROLLBACK } from './rules.js';
import type { ChatRules } from './rules.js';

/** The page: demo-chat/public, one level up from both src/ and dist/. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

export interface ChatServerOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Interface to bind; `'0.0.0.0'` binds every interface (to try the page on a phone). @default '127.0.0.1' */
  host?: string;
  /** How this node reaches the rest of the cluster. @default the server's memory broker */
  broker?: Broker;
  /** Enables the admin API (push, metrics, dashboard) behind this bearer token. @default off */
  adminToken?: string;
  /** Overrides of the house rules (message length, rate limit, forbidden rooms). */
  rules?: Partial<ChatRules>;
  /** Extra routes mounted before the page, e.g. an embedded topic service. */
  mount?: (app: Express) => void;
  /** Shown in the page's header, to tell cluster nodes apart. @default 'node' */
  nodeName?: string;
  /**
   * Also serve the gRPC push API (`@firetower/grpc`) on this port of 127.0.0.1, behind
   * `adminToken` (required with it). 0 picks a free port. @default off
   */
  grpcPort?: number;
  /**
   * Host names the page may be reached by (Firetower's `allowedHosts`, the DNS-rebinding defence:
   * see the server README's origin table). @default the loopback names, plus every address of this
   * machine when `host` is `0.0.0.0` (to try the page on a phone)
   */
  allowedHosts?: string[];
  /** Firetower's shared permessage-deflate. @default true (every delivery of 256 bytes or more) */
  compression?: boolean | { threshold?: number };
}

/** The names a browser on this machine (or, bound to every interface, on the LAN) reaches the demo by. */
export function defaultAllowedHosts(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  if (host !== '0.0.0.0' && host !== '::') return host === '127.0.0.1' || host === 'localhost' ? names : [...names, host];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) names.push(address.family === 'IPv6' ? `[${address.address}]` : address.address);
  }
  return [...names, hostname()];
}

export interface ChatServer {
  /** http://host:port of the page. */
  readonly url: string;
  readonly port: number;
  readonly firetower: FiretowerApi;
  readonly http: Server;
  /** The gRPC push API, when `grpcPort` was given (`grpc.address` is its `host:port`). */
  readonly grpc: GrpcServer | undefined;
  /** Graceful: Firetower drains its connections (clients are told to come back), then the HTTP server stops. */
  close(options?: ShutdownOptions): Promise<void>;
}

export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  if (options.grpcPort !== undefined && !options.adminToken) throw new Error('the gRPC push API needs an admin token');
  const rules: ChatRules = { ...DEFAULT_RULES, ...options.rules };
  const app = express();
  app.disable('x-powered-by');

  let api: FiretowerApi | undefined;
  const ftOptions: FiretowerOptions = {
    hooks: chatHooks(() => {
      if (!api) throw new Error('firetower is not ready');
      return api;
    }, rules),
    // Scrollback: the last 50 messages of a room, for an hour; a tab that comes back after a
    // network drop gets what it missed (the client recovers by itself).
    history: [{ match: `${ROOM_PREFIX}*`, size: SCROLLBACK, ttlMs: 60 * 60_000 }],
    // Who is in the room: the page's member list.
    presence: [{ match: `${ROOM_PREFIX}*` }],
  };
  ftOptions.allowedHosts = options.allowedHosts ?? defaultAllowedHosts(options.host ?? '127.0.0.1');
  ftOptions.compression = options.compression ?? true;
  if (options.broker) ftOptions.broker = options.broker;
  if (options.adminToken) ftOptions.admin = { token: options.adminToken };
  const ft = firetower(ftOptions);
  api = ft;
  app.use(ft);
  options.mount?.(app);

  const nodeName = options.nodeName ?? 'node';
  app.get('/config.json', (_req, res) => {
    res.json({ nodeName, rules: { maxMessageLength: rules.maxMessageLength, forbiddenRooms: rules.forbiddenRooms } });
  });
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));

  const host = options.host ?? '127.0.0.1';
  const http = app.listen(options.port ?? 0, host);
  await Promise.race([once(http, 'listening'), once(http, 'error').then(([error]) => Promise.reject(error as Error))]);
  const { port } = http.address() as AddressInfo;
  let grpc: GrpcServer | undefined;
  if (options.grpcPort !== undefined) {
    try {
      grpc = await createGrpcServer(ft, { port: options.grpcPort, token: options.adminToken });
    } catch (error) {
      await ft.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      throw error;
    }
  }
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
    port,
    firetower: ft,
    http,
    grpc,
    close(shutdown) {
      closing ??= (async () => {
        // The push door first: nothing new is published while connections drain.
        await grpc?.close();
        await ft.close(shutdown);
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}
