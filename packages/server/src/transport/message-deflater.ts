/**
 * One DEFLATE compressor for every message this process compresses (shared permessage-deflate).
 *
 * `zlib.deflateRawSync` builds a zlib stream per call (about 256 KB of state, allocated and freed
 * with malloc) and closes it. Per publish that is cheap in CPU but not in memory: glibc keeps the
 * freed blocks, scattered between the connections' own allocations, and RSS grows with every
 * publish. Measured (`node --expose-gc`, 837-byte JSON, RSS after GC): 1,000 calls keep 16 MB,
 * 10,000 keep 19 MB; on a server holding 5,000 idle connections, the probes of the bench's
 * idle-deflate scenario raised the RSS per connection from 9.4 to 11.5 KB (1.22×).
 *
 * So one stream is made once and reused: each message is written with Z_SYNC_FLUSH and the stream
 * is then reset (`reset()`, public: "reset the compressor to factory defaults"), which empties the
 * window without freeing it, so every message is still compressed on its own (RFC 7692's
 * `server_no_context_takeover`) and the output is byte for byte `deflateRawSync`'s.
 *
 * Writing synchronously to a live stream needs Node's own private hooks, the ones
 * `deflateRawSync` uses: `_handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)` and
 * `_writeState` ([availOutAfter, availInAfter]). They are checked once; when they are missing
 * (another Node, a runtime without them) or a write fails, every later message goes through
 * `deflateRawSync` instead: the same bytes, only the memory saving lost.
 */

import { constants, createDeflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';

interface ZlibHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
}

/** Output is read in slices of this size; a message that compresses to more takes several. */
const OUT_CHUNK = 16 * 1024;

/** Node's private sync-write hooks of a zlib stream, or undefined when this runtime lacks them. */
function syncHooksOf(stream: DeflateRaw): { handle: ZlibHandle; state: Uint32Array } | undefined {
  const internals = stream as unknown as { _handle?: { writeSync?: unknown }; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) return undefined;
  return { handle: handle as ZlibHandle, state };
}

export class MessageDeflater {
  private stream: DeflateRaw | undefined;
  private hooks: { handle: ZlibHandle; state: Uint32Array } | undefined;
  private readonly out = Buffer.allocUnsafe(OUT_CHUNK);
  /** Set once the shared stream cannot be used; from then on each message uses deflateRawSync. */
  private fallback = false;

  /** `makeStream`: for tests, to stand in a runtime whose streams lack the hooks. */
  constructor(private readonly makeStream: () => DeflateRaw = createDeflateRaw) {}

  /** DEFLATE `payload` on its own, ending with a sync flush (its trailing 00 00 ff ff included). */
  deflate(payload: Buffer): Buffer {
    if (!this.fallback) {
      try {
        const compressed = this.deflateShared(payload);
        if (compressed !== undefined) return compressed;
      } catch {
        // A zlib error on a healthy stream cannot come from the input (any bytes deflate); it
        // means the hooks did not behave as expected. Stop using them rather than guess.
      }
      this.useFallback();
    }
    return deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  }

  private deflateShared(payload: Buffer): Buffer | undefined {
    if (this.stream === undefined) {
      this.stream = this.makeStream();
      // A failure is thrown from writeSync or left in `destroyed`; never let one reach 'error' unheard.
      this.stream.on('error', () => this.useFallback());
      this.hooks = syncHooksOf(this.stream);
    }
    if (this.hooks === undefined || this.stream.destroyed) return undefined;
    const { handle, state } = this.hooks;
    const chunks: Buffer[] = [];
    let inOff = 0;
    let inLen = payload.length;
    for (;;) {
      handle.writeSync(constants.Z_SYNC_FLUSH, payload, inOff, inLen, this.out, 0, OUT_CHUNK);
      if (this.stream.destroyed) return undefined;
      const availOut = state[0]!;
      const availIn = state[1]!;
      chunks.push(Buffer.from(this.out.subarray(0, OUT_CHUNK - availOut)));
      inOff += inLen - availIn;
      inLen = availIn;
      // zlib filled the output: there may be more to come (as in Node's own processChunkSync).
      if (availOut !== 0) break;
    }
    this.stream.reset();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  private useFallback(): void {
    this.fallback = true;
    this.stream?.destroy();
    this.stream = undefined;
    this.hooks = undefined;
  }
}
