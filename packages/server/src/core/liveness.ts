/**
 * Half-open detection for one connection, the rule the heartbeat applies at each tick: a ping the
 * peer leaves unanswered counts as missed, anything heard from it (a pong, a frame, any byte read
 * since the last ping) clears the count, and a peer that missed MISSED_PONGS_ALLOWED in a row is
 * taken for gone. Where the socket's byte count is unavailable the node listens for 'pong' and
 * calls `heardFrom` instead.
 */
import createDebug from 'debug';
import { bytesReadOf } from '../transport/writer.js';

const debug = createDebug('firetower:tower');

const MISSED_PONGS_ALLOWED = 2;

/**
 * The connection as these functions see it: two numbers kept on the Tower itself, so an idle
 * connection carries no object more for them.
 */
export interface Pinged {
  /** Pings in a row the peer has not answered. */
  missedPongs: number;
  /** Bytes read from the socket at the last ping; -1 before the first. */
  bytesReadAtPing: number;
}

export function heardFrom(peer: Pinged): void {
  peer.missedPongs = 0;
}

/** One heartbeat tick: false when the peer is gone, else it is pinged (a failed ping counts as unanswered). */
export function beat(peer: Pinged, socket: { ping(): void }, clientId: string): boolean {
  const read = bytesReadOf(socket);
  if (read !== undefined) {
    if (read !== peer.bytesReadAtPing) peer.missedPongs = 0;
    peer.bytesReadAtPing = read;
  }
  if (peer.missedPongs >= MISSED_PONGS_ALLOWED) {
    debug('%s missed %d pongs: terminating', clientId, peer.missedPongs);
    return false;
  }
  peer.missedPongs++;
  try {
    socket.ping();
  } catch (error) {
    debug('%s ping failed: %o', clientId, error);
  }
  return true;
}
