/**
 * A zlib stream used synchronously, one message at a time, and reset after each: shared by every
 * connection of the process for permessage-deflate (see message-deflater.ts and
 * message-inflater.ts for why one shared stream instead of one per message or per connection).
 *
 * Node has no public API for this: its `deflateRawSync`/`inflateRawSync` build a stream per call,
 * and a stream's `_processChunk` without a callback closes it. What those functions use inside is
 * `_handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)`, whose results land in
 * `_writeState` ([availOutAfter, availInAfter]); this module is the one place that reaches them,
 * checks their shape, and answers undefined whenever anything is not as expected, so each caller
 * can fall back to a path that needs no private hooks. `reset()` is public ("reset the
 * compressor/decompressor to factory defaults"): it empties the window without freeing it.
 */

import { constants, type DeflateRaw, type InflateRaw } from 'node:zlib';

interface ZlibHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
}

type RawStream = DeflateRaw | InflateRaw;

/** Output is read in slices of this size; a message that needs more takes several. */
const OUT_CHUNK = 16 * 1024;

function syncHooksOf(stream: RawStream): { handle: ZlibHandle; state: Uint32Array } | undefined {
  const internals = stream as unknown as { _handle?: { writeSync?: unknown }; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) return undefined;
  return { handle: handle as ZlibHandle, state };
}

export class ReusableZlib {
  private stream: RawStream | undefined;
  private hooks: { handle: ZlibHandle; state: Uint32Array } | undefined;
  private readonly out = Buffer.allocUnsafe(OUT_CHUNK);

  constructor(private readonly makeStream: () => RawStream) {}

  /**
   * All of `input` through the stream with Z_SYNC_FLUSH, then a reset. Undefined, with the
   * stream given up (the next call makes a new one), when zlib fails (bad input to an inflater),
   * the output would pass `maxOutput` bytes (it stops there: a zip bomb costs at most that much),
   * or input is left over (a DEFLATE stream that ended early); undefined for good when the
   * hooks are missing.
   */
  process(input: Buffer, maxOutput = Number.POSITIVE_INFINITY): Buffer | undefined {
    const ready = this.ready();
    if (ready === undefined) return undefined;
    const { stream, handle, state } = ready;
    const chunks: Buffer[] = [];
    let total = 0;
    let inOff = 0;
    let inLen = input.length;
    for (;;) {
      try {
        handle.writeSync(constants.Z_SYNC_FLUSH, input, inOff, inLen, this.out, 0, OUT_CHUNK);
      } catch {
        return this.giveUp();
      }
      // zlib reports its errors through the handle's onerror, which destroys the stream at once.
      if (stream.destroyed) return this.giveUp();
      const availOut = state[0]!;
      const availIn = state[1]!;
      total += OUT_CHUNK - availOut;
      if (total > maxOutput) return this.giveUp();
      chunks.push(Buffer.from(this.out.subarray(0, OUT_CHUNK - availOut)));
      inOff += inLen - availIn;
      inLen = availIn;
      // A full output slice means zlib may have more to give (as in Node's own processChunkSync).
      if (availOut !== 0) break;
    }
    if (inLen !== 0) return this.giveUp();
    stream.reset();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  }

  private ready(): { stream: RawStream; handle: ZlibHandle; state: Uint32Array } | undefined {
    if (this.stream === undefined) {
      const stream = this.makeStream();
      // Errors are read from `destroyed` right after each write; the event that follows must
      // still have a listener, or it would crash the process.
      stream.on('error', () => {});
      this.stream = stream;
      this.hooks = syncHooksOf(stream);
    }
    return this.hooks === undefined ? undefined : { stream: this.stream, ...this.hooks };
  }

  private giveUp(): undefined {
    this.stream?.destroy();
    this.stream = undefined;
    this.hooks = undefined;
    return undefined;
  }
}
