import type { IncomingMessage } from 'node:http';
import createDebug from 'debug';
import type { WebSocket, WebSocketServer } from 'ws';

const debug = createDebug('firetower:edge');

/**
 * The places where Firetower reaches past express-ws's public API into its ws server, in one
 * module (STYLE: private internals wrapped in one feature-checked place, like writer.ts for ws's
 * sender). Each function checks the shape it relies on and says what it does when that shape is
 * missing.
 */

/**
 * Replace express-ws's own 'connection' listener, which runs every upgraded socket through the
 * Express router (about 4 KB per idle connection and a turn of latency; authentication already
 * happened in verifyClient), with a direct hand-over. ws documents 'connection' as an ordinary
 * EventEmitter event, so removing listeners is supported; what is private is that express-ws
 * added exactly one.
 */
export function takeOverConnections(wss: WebSocketServer, onConnection: (ws: WebSocket, request: IncomingMessage) => void): void {
  const previous = wss.listenerCount('connection');
  if (previous !== 1) debug('express-ws registered %d connection listeners (expected 1); replacing them all', previous);
  wss.removeAllListeners('connection');
  wss.on('connection', onConnection);
}

/**
 * ws reads `options.maxPayload` when each connection is set up, so raising it after construction
 * applies to later connections. Needed because several firetower instances (each with its own
 * `limits.maxFrameBytes`) share the one ws server express-ws made for an HTTP server.
 */
export function setMaxPayload(wss: WebSocketServer, bytes: number): void {
  const options = (wss as { options?: { maxPayload?: unknown } }).options;
  if (options === undefined || typeof options.maxPayload !== 'number') {
    debug('ws server has no options.maxPayload: the frame limit stays at its construction value');
    return;
  }
  options.maxPayload = bytes;
}

/**
 * ws reads `options.perMessageDeflate` on each upgrade, so turning it on after construction
 * negotiates the extension for later connections: needed when a firetower instance with
 * `compression` is mounted on an app whose ws server already exists (another instance made it).
 */
export function enablePerMessageDeflate(wss: WebSocketServer, options: object): void {
  const current = (wss as { options?: { perMessageDeflate?: unknown } }).options;
  if (current === undefined || !('perMessageDeflate' in current)) {
    debug('ws server has no options.perMessageDeflate: compression is not negotiated on this server');
    return;
  }
  if (current.perMessageDeflate === false) current.perMessageDeflate = options;
}

/**
 * The ws server re-emits its HTTP server's 'error' (ws listens for it on the HTTP server, so the
 * process never crashes on one). The most common one under load is accept() failing with EMFILE:
 * the process ran out of file descriptors, and every new connection is dropped until some close.
 * That must not pass in silence: each error goes to `report` (the nodes' onError, rate-limited
 * there); all are logged under DEBUG=firetower:edge.
 */
export function routeServerErrors(wss: WebSocketServer, report: (error: Error) => void): void {
  wss.on('error', (error: Error) => {
    debug('ws server error: %s', error.message);
    report(error);
  });
}

/** The HTTP server a ws server was made for (express-ws keeps it in options.server). */
export function serverOf(wss: WebSocketServer): unknown {
  return (wss as { options?: { server?: unknown } }).options?.server;
}
