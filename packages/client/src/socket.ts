/**
 * The small part of the WebSocket API the client uses, so the browser's native WebSocket and
 * Node's `ws` both fit without adapters.
 */

/**
 * A listener slot whose parameter is checked bivariantly, like DOM event handler properties, so
 * implementations with richer event types (ws's `MessageEvent`, the DOM's) are assignable.
 */
type Listener<E> = { handle(event: E): void }['handle'];

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Listener<unknown> | null;
  onmessage: Listener<{ data: unknown }> | null;
  onclose: Listener<{ code: number; reason: string }> | null;
  onerror: Listener<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const OPEN = 1;

/** The implementation to use: the option, else the global one as it is now; undefined where there is none (server-side rendering). */
export function findWebSocket(option: WebSocketConstructor | undefined): WebSocketConstructor | undefined {
  const found = option ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  return typeof found === 'function' ? found : undefined;
}

function pageBase(): string | undefined {
  const href = (globalThis as { location?: { href?: unknown } }).location?.href;
  return typeof href === 'string' ? href : undefined;
}

/**
 * Why this environment cannot open a connection yet, or undefined when it can. During server-side
 * rendering there is no WebSocket (Node 20) and no page to resolve a relative URL against; the
 * client is built anyway and connects once `connect()` runs where both exist.
 */
export function cannotConnect(url: string, option: WebSocketConstructor | undefined): string | undefined {
  if (!findWebSocket(option)) return 'Firetower: no WebSocket implementation; in Node < 22 pass { WebSocket } from "ws"';
  // Absolute means it starts with a scheme; anything else needs a page.
  if (pageBase() === undefined && !/^[a-z][\w+.-]*:/i.test(url)) return `Firetower: the relative URL ${url} needs a page`;
  return undefined;
}

/**
 * Throws when the URL can never work, wherever the client runs; without a page (server-side
 * rendering) a relative URL is checked against a placeholder one, and for real on connect.
 */
export function checkUrl(url: string): void {
  connectionUrl(typeof url === 'string' ? url : '//', {}, pageBase() ?? 'http://a.invalid');
}

/**
 * The URL of one connection attempt: relative and http(s) URLs resolve against the page (so a
 * `<script>` page can use `new Firetower('/ws')`); `query` (the `params` and the clientId, which the
 * server dedupes re-sent publishes on) replaces same-named parameters.
 */
export function connectionUrl(url: string, query: Record<string, string>, base = pageBase()): string {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new TypeError(`Firetower: invalid URL ${url}`);
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  for (const [key, value] of Object.entries(query)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

/** Detaches every listener, and absorbs the late error a closing socket may still emit (ws throws on an unheard 'error'). */
export function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = () => {};
}

/**
 * Closes a socket so that it really goes: if `close()` throws anyway (ws marks the socket as
 * closing before it validates, and then ignores every later `close()`), ws's `terminate()` cuts the
 * TCP connection, so the server never keeps a connection the client reports as closed.
 */
export function closeSocket(socket: WebSocketLike, code: number, reason: string, failed: (error: unknown) => void): void {
  try {
    socket.close(code, reason);
  } catch (error) {
    failed(error);
    // Only ws has terminate(); a browser's close() throws only for the values the client maps first.
    (socket as { terminate?: () => void }).terminate?.();
  }
}

/** Sends on an open socket; false (and `failed` told why, when it threw) when there is none. */
export function sendText(socket: WebSocketLike | undefined, text: string, failed: (error: unknown) => void): boolean {
  if (!socket || socket.readyState !== OPEN) return false;
  try {
    socket.send(text);
    return true;
  } catch (error) {
    failed(error);
    return false;
  }
}

/** Text of a message event; binary frames are not part of the protocol. */
export function messageText(data: unknown): string | undefined {
  return typeof data === 'string' ? data : undefined;
}

export function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  // Insecure contexts (plain http pages on another host) lack randomUUID; uniqueness is all we need.
  return Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
}
