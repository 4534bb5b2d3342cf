import type { IncomingMessage, Server } from 'node:http';
import express, { type Express, type Request } from 'express';
import expressWs from 'express-ws';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { createAdminRouter } from './admin/index.js';
import { createApi } from './api.js';
import { serveClientBundle } from './client-bundle.js';
import type { FiretowerNode } from './node.js';
import type { FiretowerApi, FiretowerOptions } from './types.js';
import { refusalBody } from './upgrade.js';

/** What `firetower()` returns: an Express sub-app that is also the server-side API. */
export type FiretowerMiddleware<AppData = Record<string, unknown>> = Express & FiretowerApi<AppData>;

/** Anything with an upgrade path: a node that can verify and accept connections. */
interface Endpoint {
  readonly node: FiretowerNode<never>;
  accept(ws: WebSocket, request: IncomingMessage): void;
}

interface EarlyFrames {
  frames: Array<[RawData, boolean]>;
  listener: (data: RawData, isBinary: boolean) => void;
}

/** Frames a socket may send before Express routes it to us; more means something is wrong. */
const MAX_EARLY_FRAMES = 1_000;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * express-ws glue, one per app that owns the upgrade: the ws servers it created (one per HTTP
 * server), and the endpoints by full path. Several firetower instances on one app share it,
 * because two ws servers on one HTTP server would refuse each other's upgrades.
 */
class UpgradeRegistry {
  readonly endpoints = new Map<string, Endpoint>();
  private readonly servers: WebSocketServer[] = [];
  private readonly early = new WeakMap<WebSocket, EarlyFrames>();
  private readonly accepted = new WeakSet<WebSocket>();

  constructor(private readonly app: Express) {}

  /** Serve upgrades on `server` (undefined: the server express-ws creates for `app.listen`). */
  serve(server: Server | undefined): void {
    if (server === undefined ? this.servers.length > 0 : this.servers.some((wss) => wss.options.server === server)) return;
    const instance = expressWs(this.app, server, { leaveRouterUntouched: true, wsOptions: this.wsOptions() });
    const wss = instance.getWss();
    // Our listener runs after express-ws's, which routed the request synchronously when the app's
    // middleware is sync. If it has not reached us yet, hold the frames that arrive meanwhile.
    wss.on('connection', (ws: WebSocket) => {
      // A socket Express never routes to us must not crash the process with an unhandled 'error'.
      ws.on('error', ignoreSocketError);
      if (this.accepted.has(ws)) return;
      const held: EarlyFrames = {
        frames: [],
        listener: (data, isBinary) => {
          held.frames.push([data, isBinary]);
          if (held.frames.length > MAX_EARLY_FRAMES) ws.terminate();
        },
      };
      ws.on('message', held.listener);
      this.early.set(ws, held);
    });
    this.servers.push(wss);
  }

  /** The route reached a socket: hand it over with the frames held for it. */
  takeEarlyFrames(ws: WebSocket): Array<[RawData, boolean]> {
    this.accepted.add(ws);
    const held = this.early.get(ws);
    if (!held) return [];
    ws.off('message', held.listener);
    this.early.delete(ws);
    return held.frames;
  }

  register(path: string, endpoint: Endpoint): void {
    this.endpoints.set(path, endpoint);
    const maxPayload = Math.max(...[...this.endpoints.values()].map((e) => e.node.options.limits.maxFrameBytes));
    for (const wss of this.servers) wss.options.maxPayload = maxPayload;
  }

  private wsOptions() {
    return {
      perMessageDeflate: false,
      clientTracking: false,
      maxPayload: Math.max(0, ...[...this.endpoints.values()].map((e) => e.node.options.limits.maxFrameBytes)) || 64 * 1024,
      verifyClient: (
        info: { origin: string | undefined; req: IncomingMessage },
        done: (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void,
      ): void => {
        const url = info.req.url ?? '/';
        const query = url.indexOf('?');
        const endpoint = this.endpoints.get(query < 0 ? url : url.slice(0, query));
        if (!endpoint) return done(false, 404, refusalBody('not_found', 'no WebSocket endpoint at this path'), JSON_HEADERS);
        endpoint.node.verify(info.req, info.origin || undefined).then(
          (verdict) => (verdict.ok ? done(true) : done(false, verdict.status, refusalBody(verdict.code, verdict.message), JSON_HEADERS)),
          () => done(false, 500, refusalBody('internal', 'upgrade failed'), JSON_HEADERS),
        );
      },
    };
  }
}

function ignoreSocketError(): void {}

/**
 * A Tower keeps its upgrade request for the connection's lifetime. Routing left references on it
 * (express-ws's dummy response, Express's `next` chain, the parsed URL, the socket itself) that
 * would otherwise stay alive per connection; the request keeps its headers, URL and prototype.
 */
function releaseRouting(req: Request & { ws?: WebSocket }): void {
  const loose = req as unknown as Record<string, unknown>;
  loose.res = undefined;
  loose.next = undefined;
  loose.route = undefined;
  loose._parsedUrl = undefined;
  loose._parsedOriginalUrl = undefined;
  loose.ws = undefined;
}

const registries = new WeakMap<Express, UpgradeRegistry>();

function registryFor(app: Express): UpgradeRegistry {
  let registry = registries.get(app);
  if (!registry) registries.set(app, (registry = new UpgradeRegistry(app)));
  return registry;
}

function joinPath(base: string, path: string): string {
  const trimmed = base.endsWith('/') ? base.slice(0, -1) : base;
  return path === '/' ? trimmed || '/' : `${trimmed}${path}`;
}

/**
 * Builds the sub-app: the WebSocket route (reached through express-ws), the client bundle, the
 * admin router, and the FiretowerApi methods on the same object.
 */
export function createMiddleware<AppData>(node: FiretowerNode<AppData>, options: FiretowerOptions<AppData>): FiretowerMiddleware<AppData> {
  const sub = express();
  const { path, prefix } = node.options;
  // The app whose upgrades we serve: the parent we are mounted on, else this sub-app itself.
  let owner: Express | undefined;
  let fullPath = path;

  const endpoint: Endpoint = {
    node: node as unknown as FiretowerNode<never>,
    accept: (ws, request) => node.accept(ws, request, owner ? registryFor(owner).takeEarlyFrames(ws) : []),
  };

  const bind = (app: Express, server: Server | undefined): void => {
    owner = app;
    const registry = registryFor(app);
    registry.serve(server);
    registry.register(fullPath, endpoint);
  };

  // express-ws rewrites an upgrade's URL to `<path>/.websocket` and runs it through the app.
  sub.get(path === '/' ? '/.websocket' : `${path}/.websocket`, (req: Request & { ws?: WebSocket; wsHandled?: boolean }, _res, next) => {
    const ws = req.ws;
    if (!ws) return next();
    req.wsHandled = true;
    releaseRouting(req);
    endpoint.accept(ws, req);
  });
  if (node.options.serveClient) sub.get(`${prefix}/client.js`, serveClientBundle);

  const attach = (server: Server): void => {
    if (owner) registryFor(owner).serve(server);
    else bind(sub, server);
  };
  const api = createApi(node, attach);

  // ---- admin: the HTTP push API, metrics and dashboard live in ./admin (see docs/admin.md) ----
  if (options.admin) sub.use(prefix, createAdminRouter(api, options));

  sub.on('mount', (parent: express.Application) => {
    if (owner) return;
    const mountpath = typeof sub.mountpath === 'string' ? sub.mountpath : '/';
    fullPath = joinPath(mountpath, path);
    bind(parent as Express, undefined);
  });

  for (const key of Object.keys(api)) {
    if (key in sub) throw new Error(`firetower: API member ${key} would shadow an Express app property`);
  }
  return Object.assign(sub, api);
}
