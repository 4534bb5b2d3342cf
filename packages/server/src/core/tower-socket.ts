/**
 * The socket a Tower drives (the part of a ws WebSocket it needs; STYLE 13: ws stays at the edge)
 * and how a connection's socket is ended: a close handshake the peer gets a grace period to
 * finish, or an immediate terminate. Kept apart from the Tower's state machine, which only
 * decides which ending applies.
 */
import createDebug from 'debug';
import { truncateCloseReason } from '@firetower/protocol';
import type { WritableSocket } from '../transport/send-queue.js';

const debug = createDebug('firetower:tower');

export interface TowerSocket extends WritableSocket {
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
  pause(): void;
  resume(): void;
}

/** How the connection should be ended by teardown ('none': the socket is already closed). */
export type EndAction = 'close' | 'terminate' | 'none';

/** A closed socket that never finishes the close handshake is destroyed after this. */
const CLOSE_GRACE_MS = 5_000;

/**
 * End the socket as `action` says. For 'close', returns the timer that terminates the socket
 * when the peer never finishes the handshake (the owner clears it once the socket has closed).
 */
export function endSocket(socket: TowerSocket, action: EndAction, code: number, reason: string, clientId: string): NodeJS.Timeout | undefined {
  if (action === 'terminate') socket.terminate();
  if (action !== 'close') return undefined;
  try {
    socket.resume();
    socket.close(code, truncateCloseReason(reason));
  } catch (error) {
    debug('%s close failed, terminating: %o', clientId, error);
    socket.terminate();
    return undefined;
  }
  const killTimer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
  killTimer.unref();
  return killTimer;
}
