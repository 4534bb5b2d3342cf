/**
 * Write batching: the one module that touches ws's private `_socket`.
 *
 * Each socket is corked on its first write in an event-loop turn and every corked socket is
 * uncorked by ONE `setImmediate` per turn, so a burst of deliveries leaves as one TCP write per
 * socket instead of one per frame. When the private net socket is not there (a future ws, a
 * wrapper), writes fall back to plain `ws.send` and backlogs are polled instead of awaiting 'drain'.
 */

/** What we need of the net.Socket under a ws WebSocket. */
interface NetSocketLike {
  cork(): void;
  uncork(): void;
  once(event: 'drain', listener: () => void): unknown;
  readonly writableNeedDrain?: boolean;
}

function isNetSocketLike(value: unknown): value is NetSocketLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.cork === 'function' && typeof candidate.uncork === 'function' && typeof candidate.once === 'function';
}

/** The underlying net socket of a ws WebSocket, or undefined when internals differ. */
export function netSocketOf(ws: object): NetSocketLike | undefined {
  const raw = (ws as { _socket?: unknown })._socket;
  return isNetSocketLike(raw) ? raw : undefined;
}

/** A writer that can be corked for one turn; `corkedTurn` remembers the turn it was last corked in. */
export interface Corkable {
  readonly net: NetSocketLike | undefined;
  corkedTurn: number;
}

let turn = 1;
let corked: NetSocketLike[] = [];
let scheduled = false;

function uncorkAll(): void {
  const list = corked;
  corked = [];
  scheduled = false;
  turn++;
  for (let i = 0; i < list.length; i++) list[i]!.uncork();
}

/** Cork this writer's socket until the end of the current turn (no-op when already corked). */
export function corkForTurn(writer: Corkable): void {
  if (writer.corkedTurn === turn) return;
  const net = writer.net;
  if (net === undefined) return;
  writer.corkedTurn = turn;
  net.cork();
  corked.push(net);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}

const FALLBACK_POLL_MS = 10;

/** Call `listener` once the socket has flushed its buffer (or soon, when that cannot be observed). */
export function whenDrained(writer: Corkable, listener: () => void): void {
  const net = writer.net;
  if (net !== undefined && net.writableNeedDrain === true) net.once('drain', listener);
  // No 'drain' is coming (the buffer is under the net socket's own high-water mark): poll gently.
  else setTimeout(listener, FALLBACK_POLL_MS);
}
