import createDebug from 'debug';
import type { RawData, WebSocket } from 'ws';
import { shareInflation } from '../transport/message-inflater.js';
import { bytesReadOf } from '../transport/writer.js';
import type { TowerImpl } from './tower.js';

const debug = createDebug('firetower:node');

/**
 * Socket listeners are shared functions (ws calls them with `this` = the socket) looking their
 * Tower up here, instead of closures per connection: idle connections are the common case.
 */
const towerOf = new WeakMap<WebSocket, TowerImpl<never>>();

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  towerOf.get(this)?.receive(toBuffer(data), isBinary);
}

function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  towerOf.get(this)?.socketClosed(code, reason.toString());
}

function onSocketPong(this: WebSocket): void {
  towerOf.get(this)?.pong();
}

function onSocketError(this: WebSocket, error: Error): void {
  debug('%s socket error: %s', towerOf.get(this)?.clientId, error.message);
}

/**
 * Hand a socket's events to its tower. Every path into the tower goes through one of its guarded
 * methods (receive, socketClosed, pong). A connection that negotiated permessage-deflate has its
 * compressed messages inflated by the process's shared inflater (message-inflater.ts).
 */
export function wireSocket<AppData>(ws: WebSocket, tower: TowerImpl<AppData>): void {
  towerOf.set(ws, tower as unknown as TowerImpl<never>);
  ws.on('message', onSocketMessage);
  shareInflation(ws);
  ws.on('close', onSocketClose);
  // The heartbeat reads the socket's byte count to see pongs; a listener only when it cannot.
  if (bytesReadOf(ws) === undefined) ws.on('pong', onSocketPong);
  ws.on('error', onSocketError);
}
