/**
 * Write batching and pre-encoded frames: the one module that touches ws's private fields.
 *
 * Each socket is corked on its first write in an event-loop turn and every corked socket is
 * uncorked by ONE `process.nextTick` per turn, so a burst of deliveries leaves as one TCP write per
 * socket instead of one per frame (measured with `pnpm bench`: uncorking on `setImmediate` instead
 * held frames back and cost 30 % of fan-out throughput).
 *
 * A fan-out frame is also framed for the wire once (`SharedFrame.wire`: WebSocket header + payload
 * in one Buffer) and written straight to each net socket, instead of ws building a header and an
 * options object per subscriber. That is only sound while ws's sender never queues, which holds
 * when permessage-deflate is off (the server never negotiates it) and no Blob is sent (we send
 * none); `rawWriterOf` checks what it can per connection and otherwise answers undefined, and the
 * outbox falls back to `ws.send`. When the private net socket is not there (a future ws, a
 * wrapper), writes use plain `ws.send` and backlogs are polled instead of awaiting 'drain'.
 */

import { MessageDeflater } from './message-deflater.js';

/** What we need of the net.Socket under a ws WebSocket. */
interface NetSocketLike {
  cork(): void;
  uncork(): void;
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
  readonly writableNeedDrain?: boolean;
  readonly bytesRead?: number;
}

/**
 * A frame written to many sockets: the payload (for `ws.send`) and, built on first use, the
 * complete unmasked WebSocket text frame (for writing to the net socket directly), and the same
 * frame compressed (for connections that negotiated permessage-deflate): each is made at most once
 * per publish, however many subscribers it reaches.
 */
export class SharedFrame {
  private encoded: Buffer | undefined;
  private deflated: Buffer | undefined;
  constructor(readonly payload: Buffer) {}

  get wire(): Buffer {
    return (this.encoded ??= encodeTextFrame(this.payload));
  }

  /** The compressed frame (RSV1 set), or the plain one when the payload is under `threshold` or does not shrink. */
  deflatedWire(threshold: number): Buffer {
    if (this.deflated !== undefined) return this.deflated;
    const compressed = this.payload.length < threshold ? undefined : deflateMessage(this.payload);
    this.deflated = compressed === undefined || compressed.length >= this.payload.length ? this.wire : encodeFrame(compressed, FIN_TEXT | RSV1);
    return this.deflated;
  }
}

const FIN_TEXT = 0x81;
/** RFC 7692 §6: RSV1 on the first frame marks a compressed message. */
const RSV1 = 0x40;
const SYNC_FLUSH_TAIL = 4;

/** The process's one compressor: synchronous, so one is enough, and reused so publishing does not grow RSS. */
const deflater = new MessageDeflater();

/**
 * RFC 7692 §7.2.1: DEFLATE the message on its own (no context from earlier messages, which is what
 * `server_no_context_takeover` promises the client), end with a sync flush, and drop the flush's
 * trailing 0x00 0x00 0xff 0xff. Synchronous: the message is small, done once per publish, and the
 * fan-out must write it in this turn to keep the order of deliveries.
 */
function deflateMessage(payload: Buffer): Buffer {
  const out = deflater.deflate(payload);
  return out.subarray(0, out.length - SYNC_FLUSH_TAIL);
}

/** RFC 6455 §5.2: FIN + opcode 1 (text), no mask (server to client), 7/16/64-bit length. */
export function encodeTextFrame(payload: Buffer): Buffer {
  return encodeFrame(payload, FIN_TEXT);
}

function encodeFrame(payload: Buffer, firstByte: number): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = firstByte;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * The net socket to write pre-encoded frames to, when this ws connection allows it: the socket is
 * there, ws has a sender, and no extension other than permessage-deflate is negotiated. With
 * permessage-deflate, ws's sender only queues while it compresses, and Firetower never asks it to
 * (every `ws.send` of ours passes `compress: false`), so frames written here keep their order.
 */
export function rawWriterOf(ws: object): NetSocketLike | undefined {
  const net = netSocketOf(ws);
  if (net === undefined || typeof net.write !== 'function') return undefined;
  const internals = ws as { _sender?: unknown; _extensions?: unknown };
  if (typeof internals._sender !== 'object' || internals._sender === null) return undefined;
  if (typeof internals._extensions !== 'object' || internals._extensions === null) return undefined;
  const names = Object.keys(internals._extensions);
  return names.length === 0 || (names.length === 1 && names[0] === PERMESSAGE_DEFLATE) ? net : undefined;
}

const PERMESSAGE_DEFLATE = 'permessage-deflate';

/**
 * ws's PerMessageDeflate object of a connection that negotiated the extension (ws keeps it in the
 * socket's private `_extensions`; its public `extensions` has the names only), typed as loosely as
 * its callers check it.
 */
export function deflateExtensionOf(ws: object): Record<string, unknown> | undefined {
  const extension = (ws as { _extensions?: Record<string, unknown> })._extensions?.[PERMESSAGE_DEFLATE];
  return typeof extension === 'object' && extension !== null ? (extension as Record<string, unknown>) : undefined;
}

/**
 * True when the connection negotiated permessage-deflate in the form a shared compressed frame
 * needs: `server_no_context_takeover` (every message compressed on its own) and the full 32 KiB
 * window (a client that asked for a smaller `server_max_window_bits` gets plain frames, which a
 * server may always send). Read from the negotiated parameters ws keeps on its extension object
 * (its public `extensions` has the names only); anything unexpected means plain frames.
 */
export function acceptsSharedDeflate(ws: object): boolean {
  const params = deflateExtensionOf(ws)?.params as Record<string, unknown> | null | undefined;
  if (typeof params !== 'object' || params === null) return false;
  const bits = params.server_max_window_bits;
  return params.server_no_context_takeover === true && (bits === undefined || bits === 15);
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

/**
 * Bytes received so far on a ws WebSocket's net socket (pongs included), or undefined when the
 * internals differ. The heartbeat compares it between pings instead of listening for 'pong': one
 * listener less on every connection.
 */
export function bytesReadOf(ws: object): number | undefined {
  const read = netSocketOf(ws)?.bytesRead;
  return typeof read === 'number' ? read : undefined;
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
    process.nextTick(uncorkAll);
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
