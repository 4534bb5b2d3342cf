/**
 * Half-open detection for one connection, the rule the heartbeat applies at each tick: a ping the
 * peer leaves unanswered counts as missed, anything heard from it (a pong, a frame, any byte read
 * since the last ping) clears the count, and a peer that missed MISSED_PONGS_ALLOWED in a row is
 * taken for gone. Where the socket's byte count is unavailable the node listens for 'pong' and
 * calls `heard` instead.
 */
import createDebug from 'debug';
import { bytesReadOf } from '../transport/writer.js';

const debug = createDebug('firetower:tower');

const MISSED_PONGS_ALLOWED = 2;

export class Liveness {
  /** Pings in a row the peer has not answered. */
  private missed = 0;
  /** Bytes read from the socket at the last ping; -1 before the first. */
  private bytesReadAtPing = -1;

  heard(): void {
    this.missed = 0;
  }

  /** One heartbeat tick: false when the peer is gone, else it is pinged (a failed ping counts as unanswered). */
  beat(socket: { ping(): void }, clientId: string): boolean {
    const read = bytesReadOf(socket);
    if (read !== undefined) {
      if (read !== this.bytesReadAtPing) this.missed = 0;
      this.bytesReadAtPing = read;
    }
    if (this.missed >= MISSED_PONGS_ALLOWED) {
      debug('%s missed %d pongs: terminating', clientId, this.missed);
      return false;
    }
    this.missed++;
    try {
      socket.ping();
    } catch (error) {
      debug('%s ping failed: %o', clientId, error);
    }
    return true;
  }
}
