import type { IncomingMessage, Server } from 'node:http';
import express, { type Express } from 'express';
import expressWs from 'express-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_LIMITS, UpgradeRefusalCode, UpgradeRefusalStatus } from '@firetower/protocol';
import { createAdminRouter } from '../admin/index.js';
import { createApi } from '../core/api.js';
import { FiretowerServerError } from '../errors.js';
import { serveClientBundle } from './client-bundle.js';
import type { FiretowerNode } from '../core/node.js';
import type { FiretowerApi, FiretowerOptions } from '../types.js';
import { isPromiseLike } from '../core/settle.js';
import { refusalBody, type UpgradeVerdict } from './upgrade.js';
import { routeServerErrors, enablePerMessageDeflate, serverOf, setMaxPayload, takeOverConnections } from './ws-edge.js';

/** What `firetower()` returns: an Express sub-app that is also the server-side API. */
export type FiretowerMiddleware<AppData = Record<string, unknown>> = Express & FiretowerApi<AppData>;

/** The node behind one WebSocket path. */
type Endpoint = FiretowerNode<never>;

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * Negotiated when an endpoint has `compression` on. `serverNoContextTakeover` makes ws answer with
 * `server_no_context_takeover`, which RFC 7692 §7.1.1.1 lets a server add to its response even when
 * the client did not offer it: it promises that every message we send is compressed on its own,
 * which is what lets one compressed frame serve every subscriber. `clientNoContextTakeover` asks
 * the same of the client (§7.1.1.2: "A server MAY include the client_no_context_takeover extension
 * parameter in an extension negotiation response"), so no message depends on the one before and
 * one inflater can serve every connection (message-inflater.ts). ws itself never compresses
 * (`threshold` out of reach, and every send of ours passes `compress: false`); it only inflates
 * client frames, bounded by `maxPayload` (1009 past it, without inflating the rest).
 */
const PER_MESSAGE_DEFLATE = Object.freeze({ serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: Number.MAX_SAFE_INTEGER });

const NOT_ATTACHED_HINT =
  'a WebSocket upgrade reached Express but not Firetower: when you create the HTTP server yourself ' +
  '(http.createServer(app)), call ft.attach(server); and mount firetower() with app.use() on the app, not on a Router';

type VerifyDone = (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void;

function answer(done: VerifyDone, verdict: UpgradeVerdict<unknown>): void {
  if (verdict.ok) done(true);
  else done(false, verdict.status, refusalBody(verdict.code, verdict.message), JSON_HEADERS);
}

function refuseInternal(done: VerifyDone): void {
  done(false, UpgradeRefusalStatus.internal, refusalBody(UpgradeRefusalCode.Internal, 'upgrade failed'), JSON_HEADERS);
}

function pathnameOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/**
 * express-ws glue, one per app that owns the upgrades: the ws servers express-ws created (one per
 * HTTP server) and the endpoints by full path. Several firetower instances on one app share it,
 * because two ws servers on one HTTP server would refuse each other's upgrades.
 *
 * express-ws gives us the HTTP server for `app.listen()` and the ws server; its own 'connection'
 * listener, which would run every upgraded socket through the Express router, is replaced by a
 * direct hand-over. Authentication already happened before the upgrade (verifyClient), and routing
 * would only mutate the request each Tower keeps (Express switches its prototype and hangs a dummy
 * response and the `next` chain on it: about 4 KB per idle connection) and add a turn of latency.
 */
class UpgradeRegistry {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly servers: WebSocketServer[] = [];

  constructor(private readonly app: Express) {}

  /** Serve upgrades on `server` (undefined: the server express-ws creates for `app.listen`). */
  serve(server: Server | undefined): void {
    if (server === undefined ? this.servers.length > 0 : this.servers.some((wss) => serverOf(wss) === server)) return;
    const wss = expressWs(this.app, server, { leaveRouterUntouched: true, wsOptions: this.wsOptions() }).getWss();
    takeOverConnections(wss, (ws: WebSocket, request: IncomingMessage) => {
      const endpoint = this.endpoints.get(pathnameOf(request));
      if (endpoint) endpoint.accept(ws, request);
      else ws.terminate();
    });
    routeServerErrors(wss, (error) => {
      for (const endpoint of new Set(this.endpoints.values())) endpoint.serverError(error);
    });
    this.servers.push(wss);
  }

  register(path: string, endpoint: Endpoint): void {
    this.endpoints.set(path, endpoint);
    for (const wss of this.servers) setMaxPayload(wss, this.maxPayload());
    if (endpoint.options.compression !== undefined) for (const wss of this.servers) enablePerMessageDeflate(wss, PER_MESSAGE_DEFLATE);
  }

  /** One ws server serves every endpoint of an HTTP server: it takes the largest frame limit. */
  private maxPayload(): number {
    const limits = [...this.endpoints.values()].map((e) => e.options.limits.maxFrameBytes);
    return limits.length > 0 ? Math.max(...limits) : DEFAULT_LIMITS.maxFrameBytes;
  }

  private wsOptions() {
    const compression = [...this.endpoints.values()].some((e) => e.options.compression !== undefined);
    return {
      perMessageDeflate: compression ? PER_MESSAGE_DEFLATE : false,
      clientTracking: false,
      maxPayload: this.maxPayload(),
      verifyClient: (info: { origin: string | undefined; req: IncomingMessage }, done: VerifyDone): void => {
        const endpoint = this.endpoints.get(pathnameOf(info.req));
        if (!endpoint)
          return done(false, UpgradeRefusalStatus.not_found, refusalBody(UpgradeRefusalCode.NotFound, 'no WebSocket endpoint at this path'), JSON_HEADERS);
        let verdict: ReturnType<Endpoint['verify']>;
        try {
          verdict = endpoint.verify(info.req, info.origin || undefined);
        } catch {
          return refuseInternal(done);
        }
        // Closures only on the asynchronous path (an authenticate hook, a broker still starting).
        if (isPromiseLike<UpgradeVerdict<unknown>>(verdict))
          verdict.then(
            (settled) => answer(done, settled),
            () => refuseInternal(done),
          );
        else answer(done, verdict);
      },
    };
  }
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
 * Builds the sub-app: the client bundle route, the admin router, and the FiretowerApi methods on
 * the same object. Mounting it installs the WebSocket endpoint on the parent app through express-ws.
 */
export function createMiddleware<AppData>(node: FiretowerNode<AppData>, options: FiretowerOptions<AppData>): FiretowerMiddleware<AppData> {
  const sub = express();
  const { path, prefix } = node.options;
  const endpoint = node as unknown as Endpoint;
  // The app whose upgrades we serve: the parent we are mounted on, else this sub-app itself.
  let owner: Express | undefined;

  const bind = (app: Express, server: Server | undefined, fullPath: string): void => {
    owner = app;
    const registry = registryFor(app);
    registry.register(fullPath, endpoint);
    registry.serve(server);
  };

  if (node.options.serveClient) sub.get(`${prefix}/client.js`, serveClientBundle);
  // An upgrade that reaches Express was never seen by Firetower (express-ws answers upgrades before
  // any middleware runs): the HTTP server was made without ft.attach(server), or firetower() was
  // mounted on a Router. Say so, instead of Express's HTML 404 and a silent log.
  let misconfigurationReported = false;
  sub.all(path, (req, res, next) => {
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') return next();
    if (!misconfigurationReported) {
      misconfigurationReported = true;
      node.reportError(new FiretowerServerError('not_attached', NOT_ATTACHED_HINT));
    }
    res
      .status(UpgradeRefusalStatus.not_attached)
      .set('Connection', 'close')
      .json({ error: { code: UpgradeRefusalCode.NotAttached, message: NOT_ATTACHED_HINT } });
  });

  const attach = (server: Server): void => {
    if (owner) registryFor(owner).serve(server);
    else bind(sub, server, path);
  };
  const api = createApi(node, attach);

  // ---- admin: the HTTP push API, metrics and dashboard live in ./admin (see docs/admin.md) ----
  if (options.admin) sub.use(prefix, createAdminRouter(api, options));

  sub.on('mount', (parent: express.Application) => {
    if (owner) return;
    const mountpath = typeof sub.mountpath === 'string' ? sub.mountpath : '/';
    bind(parent as Express, undefined, joinPath(mountpath, path));
  });

  for (const key of Object.keys(api)) {
    if (key in sub) throw new Error(`firetower: API member ${key} would shadow an Express app property`);
  }
  return Object.assign(sub, api);
}
