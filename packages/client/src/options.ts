import { DEFAULT_LIMITS } from '@firetower/protocol';
import type { ParamsOption } from './credentials.js';
import { browserEnvironment, type Environment } from './environment.js';
import { randomId, type WebSocketConstructor } from './socket.js';

export interface FiretowerOptions {
  /**
   * The WebSocket implementation. Pass `WebSocket` from `ws` in Node < 22.
   * @default globalThis.WebSocket, looked up when the client connects
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Sent as `?clientId=` on every (re)connect; the server dedupes publishes on `clientId:id`.
   * @default a random UUID, one per client instance
   */
  clientId?: string;
  /**
   * Query parameters for every connection attempt (string values; each replaces a same-named
   * parameter of the URL; `clientId` is always the client's). A function is called before each
   * connect and reconnect, so each attempt carries fresh credentials, and again to refresh them
   * before they expire (the server's `session` frame). One that throws or rejects is reported as a
   * `callback` error and counts as a failed attempt (backoff).
   * @example params: async () => ({ token: await getToken() })
   * @default none
   */
  params?: ParamsOption;
  /** Connect in the constructor. With `false`, call `connect()`. @default true */
  autoConnect?: boolean;
  /** Give up an opening socket after this long and retry. @default 10000 */
  connectionTimeoutMs?: number;
  /**
   * Reconnect when no frame (the server's heartbeats included) arrives within this window.
   * About 2.5 × the server's 25 s heartbeat. 0 disables the watchdog.
   * @default 62500
   */
  heartbeatTimeoutMs?: number;
  /** Backoff window of the first retry; it doubles per attempt. @default 500 */
  reconnectDelayMinMs?: number;
  /** The largest backoff window. @default 20000 */
  reconnectDelayMaxMs?: number;
  /** Consecutive failed reconnect attempts before the client gives up (`closed`). @default Infinity */
  maxAttempts?: number;
  /** A connection that stays open this long resets the attempt counter. @default 5000 */
  minUptimeMs?: number;
  /** While the page is hidden, retries wait at least this long (and go at once when it is visible again). @default 60000 */
  hiddenRetryDelayMs?: number;
  /**
   * Decide per close whether to reconnect, after the built-in rules (no-retry codes 4500–4999 never
   * reconnect). Return false to stop.
   * @default () => true
   */
  shouldReconnect?: (close: { code: number; reason: string }) => boolean;
  /** Publishes held while disconnected; one more rejects with `queue_full`. 0 rejects every publish made while disconnected. @default 100 */
  maxQueuedPublishes?: number;
  /** Reject a publish the server has not acknowledged this long after it was sent. @default 10000 */
  publishTimeoutMs?: number;
  /** Publish frames larger than this (UTF-8 bytes) reject with `too_large` before they are sent; keep it at the server's `limits.maxFrameBytes`. @default 65536 */
  maxFrameBytes?: number;
  /** Topics per subscribe/unsubscribe frame; keep it at the server's `limits.maxTopicsPerFrame`. @default 64 */
  maxTopicsPerFrame?: number;
  /** Network and visibility signals. @default the browser's (online/offline, visibilitychange); always online elsewhere */
  environment?: Environment;
  /**
   * Diagnostics sink. The client depends on nothing but eventemitter3, so instead of `debug` it
   * takes a function: e.g. `logger: require('debug')('firetower:client')`.
   * @default no logging
   */
  logger?: (message: string, ...details: unknown[]) => void;
}

/** `WebSocket` stays as given: the global one is looked up when a socket is made, so the constructor works where there is none (server-side rendering). */
export type ResolvedOptions = Required<Omit<FiretowerOptions, 'WebSocket' | 'params'>> & {
  WebSocket: WebSocketConstructor | undefined;
  params: ParamsOption | undefined;
};

/** Calls the `logger` option; a diagnostics sink that throws must not take the client down with it. */
export function log(options: Pick<ResolvedOptions, 'logger'>, message: string, ...details: unknown[]): void {
  try {
    options.logger(message, ...details);
  } catch {
    // Ignored: see above.
  }
}

export function resolveOptions(options: FiretowerOptions): ResolvedOptions {
  return {
    WebSocket: options.WebSocket,
    params: options.params,
    clientId: options.clientId ?? randomId(),
    autoConnect: options.autoConnect ?? true,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 10_000,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 62_500,
    reconnectDelayMinMs: options.reconnectDelayMinMs ?? 500,
    reconnectDelayMaxMs: options.reconnectDelayMaxMs ?? 20_000,
    maxAttempts: options.maxAttempts ?? Infinity,
    minUptimeMs: options.minUptimeMs ?? 5_000,
    hiddenRetryDelayMs: options.hiddenRetryDelayMs ?? 60_000,
    shouldReconnect: options.shouldReconnect ?? (() => true),
    maxQueuedPublishes: options.maxQueuedPublishes ?? 100,
    publishTimeoutMs: options.publishTimeoutMs ?? 10_000,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes,
    maxTopicsPerFrame: options.maxTopicsPerFrame ?? DEFAULT_LIMITS.maxTopicsPerFrame,
    environment: options.environment ?? browserEnvironment(),
    logger: options.logger ?? (() => {}),
  };
}
